"""Back office for measurement data. Tickets and events are read-only (events are the truth,
tickets derived); outage, maintenance and source edits go through the services, so they are
validated and audited like API writes."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from accord.lib.errors import InvalidInput

from . import services
from .models import (
    AvailabilityPeriod,
    Clock,
    MaintenanceWindow,
    Outage,
    Source,
    Ticket,
    TicketEvent,
)
from .services.outages import (
    MAINTENANCE_FIELDS,
    OUTAGE_FIELDS,
    clean_maintenance,
    clean_outage,
)


def _viewer(request) -> bool:
    return request.user.is_active and request.user.can("view")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_view_permission(self, request, obj=None):
        return _viewer(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    fields = ("timestamp", "kind", "status", "priority", "team", "supplier", "public",
              "event_id", "source")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("timestamp", "id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("ticket_id", "source", "status", "priority", "stage", "service", "team",
                    "supplier", "opened_at", "last_event_at", "event_count")
    list_filter = ("source", "stage", "priority")
    search_fields = ("ticket_id", "status")
    list_select_related = ("service", "team", "supplier")
    inlines = [TicketEventInline]


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "source", "ticket", "timestamp", "kind", "status", "team",
                    "received_at")
    list_filter = ("source", "kind")
    search_fields = ("event_id", "ticket__ticket_id")
    list_select_related = ("ticket",)
    show_full_result_count = False


def _check(form, clean, names, data) -> None:
    """Apply the service's validation to the form's data; errors name the field."""
    values = {name: data.get(name) for name in names}
    values.update({k: values[k] or "" for k in ("description", "source", "external_id")})
    try:
        clean(values)
    except InvalidInput as exc:
        raise ValidationError({exc.field: exc.message} if exc.field in form.fields
                              else exc.message) from None


class OutageForm(forms.ModelForm):
    class Meta:
        model = Outage
        fields = OUTAGE_FIELDS

    def clean(self):
        data = super().clean()
        _check(self, clean_outage, OUTAGE_FIELDS, data)
        return data


class MaintenanceForm(forms.ModelForm):
    class Meta:
        model = MaintenanceWindow
        fields = MAINTENANCE_FIELDS

    def clean(self):
        data = super().clean()
        _check(self, clean_maintenance, MAINTENANCE_FIELDS, data)
        return data


class ThroughServices(admin.ModelAdmin):
    """Writes go through the app's services (validated, audited); ``permission`` guards them."""

    permission = "import_data"
    names: tuple = ()

    def has_view_permission(self, request, obj=None):
        return _viewer(request)

    def has_add_permission(self, request):
        return request.user.can(self.permission)

    def has_change_permission(self, request, obj=None):
        return request.user.can(self.permission)

    def has_delete_permission(self, request, obj=None):
        return request.user.can(self.permission)

    def _data(self, form) -> dict:
        data = {name: form.cleaned_data.get(name) for name in self.names}
        data.update({k: data[k] or "" for k in ("description", "source", "external_id")})
        return data

    def save_model(self, request, obj, form, change):
        if change:
            saved = self.update(self.model.objects.get(pk=obj.pk), self._data(form),
                                user=request.user)
        else:
            saved = self.create(self._data(form), user=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        self.delete(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete(obj, user=request.user)


@admin.register(Outage)
class OutageAdmin(ThroughServices):
    form = OutageForm
    names = OUTAGE_FIELDS
    list_display = ("__str__", "start", "end", "impact", "planned", "source")
    list_filter = ("planned", "source")
    search_fields = ("description", "external_id", "service__name", "component__name")
    list_select_related = ("service", "component")

    def create(self, data, *, user):
        return services.create_outage(data, user=user)

    def update(self, obj, data, *, user):
        return services.update_outage(obj, data, user=user)

    def delete(self, obj, *, user):
        services.delete_outage(obj, user=user)


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(ThroughServices):
    form = MaintenanceForm
    names = MAINTENANCE_FIELDS
    permission = "change_catalogue"
    list_display = ("service", "start", "end", "description", "source")
    list_filter = ("source",)
    search_fields = ("description", "service__name")
    list_select_related = ("service",)

    def create(self, data, *, user):
        return services.create_maintenance_window(data, user=user)

    def update(self, obj, data, *, user):
        return services.update_maintenance_window(obj, data, user=user)

    def delete(self, obj, *, user):
        services.delete_maintenance_window(obj, user=user)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "create_missing", "created_at")
    search_fields = ("name", "description")
    fields = ("name", "description", "create_missing", "created_at")
    readonly_fields = ("name", "created_at")

    def has_view_permission(self, request, obj=None):
        return _viewer(request)

    def has_add_permission(self, request):
        return False  # a source appears with its first events

    def has_change_permission(self, request, obj=None):
        return request.user.can("change_policy")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.update_source(obj, {name: form.cleaned_data[name] for name in
                                     ("description", "create_missing")}, user=request.user)


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    """Derived rows: recomputed from events, never edited by hand."""

    list_display = ("ticket", "target", "kind", "cycle", "state", "percent", "due_at",
                    "next_event_at")
    list_filter = ("state", "kind", "metric")
    search_fields = ("ticket__ticket_id",)
    list_select_related = ("ticket", "target")


@admin.register(AvailabilityPeriod)
class AvailabilityPeriodAdmin(ReadOnlyAdmin):
    list_display = ("service", "target", "period_start", "availability", "met")
    list_filter = ("met",)
    list_select_related = ("service", "target")
