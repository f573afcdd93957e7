"""Back office for connectors (administrators only). Saves go through services, so they are
validated and audited; the secret and credentials are write-only fields here: a blank field
keeps what is stored, and neither is ever shown back."""

import json

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from accord.lib.errors import DomainError

from . import services
from .choices import ConnectorKind
from .models import Connector, DeadLetter, Delivery

PERMISSION = "manage_connectors"


class AdminOnly(admin.ModelAdmin):
    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and request.user.can(PERMISSION)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return self.has_view_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request)


class ConnectorForm(forms.ModelForm):
    new_secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False),
                                 help_text="Leave blank to keep the stored secret.")
    new_credentials = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text='JSON such as {"email": "...", "api_token": "..."}; blank keeps them.')
    mapping = forms.JSONField(required=False)
    base_url = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Connector
        fields = ["name", "kind", "source", "base_url", "enabled", "sync_interval_minutes",
                  "mapping"]

    def clean(self):
        data = super().clean()
        fields = {k: data[k] for k in ("name", "kind", "source", "base_url", "enabled",
                                       "sync_interval_minutes") if k in data}
        if data.get("mapping"):
            fields["mapping"] = data["mapping"]
        if data.get("new_secret"):
            fields["secret"] = data["new_secret"]
        elif not self.instance.pk:
            raise forms.ValidationError({"new_secret": "a new connector needs a secret"})
        if data.get("new_credentials"):
            try:
                fields["credentials"] = json.loads(data["new_credentials"])
            except ValueError as exc:
                raise forms.ValidationError({"new_credentials": f"not JSON: {exc}"}) from None
        try:
            services.clean_fields(fields, self.instance if self.instance.pk else None)
        except DomainError as exc:
            field = (exc.field or "").split(".")[0]
            target = {"secret": "new_secret", "credentials": "new_credentials"}.get(field, field)
            raise forms.ValidationError(
                {target if target in self.fields else None: f"{exc.field}: {exc.message}"}
            ) from None
        self.service_fields = fields
        return data


@admin.register(Connector)
class ConnectorAdmin(AdminOnly):
    form = ConnectorForm
    list_display = ["name", "kind", "source", "enabled", "deliveries", "events_stored",
                    "refused", "last_delivery_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "source"]
    readonly_fields = ["deliveries", "events_stored", "duplicates", "refused",
                       "last_delivery_at", "last_sync_at", "next_sync_at", "last_sync_error",
                       "created_at"]

    def save_model(self, request, obj, form, change):
        fields = dict(form.service_fields)
        # The form validated the fields through services.clean_fields already.
        if change:
            fresh = Connector.objects.get(pk=obj.pk)
            saved = services.update_connector(fresh, by=request.user, now=timezone.now(),
                                              **fields)
        else:
            kind = fields.pop("kind", ConnectorKind.GENERIC)
            saved = services.create_connector(by=request.user, now=timezone.now(),
                                              kind=kind, **fields)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.delete_connector(obj, by=request.user)


class ReadOnly(AdminOnly):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ["connector", "received_at", "channel", "outcome", "desk_event", "events",
                    "stored", "duplicate_events", "rejected"]
    list_filter = ["outcome", "channel", "connector"]


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnly):
    list_display = ["connector", "received_at", "status", "reason"]
    list_filter = ["status", "connector"]
    actions = ["replay", "discard"]

    @admin.action(description="Replay through the connector's current mapping")
    def replay(self, request, queryset):
        for letter in queryset:
            try:
                delivery = services.replay(letter, by=request.user, now=timezone.now())
            except DomainError as exc:
                messages.warning(request, f"dead letter {letter.pk}: {exc.message}")
                continue
            messages.info(request, f"dead letter {letter.pk}: {delivery.outcome}, "
                                   f"{delivery.stored} stored")

    @admin.action(description="Discard")
    def discard(self, request, queryset):
        for letter in queryset:
            try:
                services.discard(letter, by=request.user)
            except DomainError as exc:
                messages.warning(request, f"dead letter {letter.pk}: {exc.message}")

    def get_actions(self, request):
        # Actions change rows although the rows themselves are read-only records.
        actions = super().get_actions(request)
        return actions if request.user.can(PERMISSION) else {}
