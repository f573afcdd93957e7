"""Back office for channels, policies, the outbox and escalation records.

Saves go through services (or write audit rows), and the role decides who may change what:
channels need change_policy, policies change_agreement, retrying dead letters change_policy
or run_reviews. Notifications and attempts are read-only records.
"""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change
from accord.lib.errors import DomainError, InvalidInput

from . import services
from .choices import NotificationStatus
from .models import (
    Channel,
    DeliveryAttempt,
    Escalation,
    EscalationPolicy,
    EscalationStep,
    Notification,
)
from .services.setup import channel_state, clean_scope, may_change_policy, policy_state


class RoleAdmin(admin.ModelAdmin):
    change_permission = "change_policy"

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and request.user.can("view")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return request.user.can(self.change_permission)

    def has_change_permission(self, request, obj=None):
        return request.user.can(self.change_permission)

    def has_delete_permission(self, request, obj=None):
        return request.user.can(self.change_permission)


@admin.register(Channel)
class ChannelAdmin(RoleAdmin):
    list_display = ["name", "kind", "enabled", "last_error"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name"]
    readonly_fields = ["last_error", "created_at"]

    def save_model(self, request, obj, form, change):
        # The form ran Channel.clean(), which validated and normalised the config.
        before = channel_state(Channel.objects.get(pk=obj.pk)) if change else None
        if not change:
            obj.created_at = timezone.now()
        obj.save()
        action = AuditAction.UPDATE if change else AuditAction.CREATE
        record_change(request.user, obj, action, before=before, after=channel_state(obj),
                      message="via admin")

    def delete_model(self, request, obj):
        services.delete_channel(obj, by=request.user)


class StepInline(admin.TabularInline):
    model = EscalationStep
    extra = 0

    def has_view_permission(self, request, obj=None):
        return request.user.can("view")

    # ``obj`` is the policy: the global default's steps are the administrators'.
    def has_add_permission(self, request, obj=None):
        return _may_change(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return _may_change(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return _may_change(request.user, obj)


def _may_change(user, policy) -> bool:
    if policy is None:
        return user.can("change_agreement")
    return may_change_policy(user, agreement_id=policy.agreement_id, target_id=policy.target_id)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = EscalationPolicy
        fields = ["name", "description", "agreement", "target"]

    def clean(self):
        data = super().clean()
        agreement, target = data.get("agreement"), data.get("target")
        try:
            agreement_id, _ = clean_scope(agreement and agreement.pk, target and target.pk,
                                          exclude_pk=self.instance.pk)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None
        if not may_change_policy(self.user, agreement_id=agreement_id,
                                 target_id=target and target.pk):
            raise forms.ValidationError("only administrators change the global default "
                                        "escalation policy: choose an agreement or a target")
        if target is not None and agreement is None:
            data["agreement"] = target.version.agreement
            self.instance.agreement_id = agreement_id
        return data


@admin.register(EscalationPolicy)
class PolicyAdmin(RoleAdmin):
    change_permission = "change_agreement"
    form = PolicyForm
    list_display = ["name", "agreement", "target", "created_at"]
    search_fields = ["name", "description"]
    raw_id_fields = ["agreement", "target"]
    inlines = [StepInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        return _may_change(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return _may_change(request.user, obj)

    def save_model(self, request, obj, form, change):
        request._policy_before = (
            policy_state(EscalationPolicy.objects.get(pk=obj.pk)) if change else None)
        if not change:
            obj.created_at = timezone.now()
        obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        policy = form.instance
        action = AuditAction.UPDATE if change else AuditAction.CREATE
        record_change(request.user, policy, action, before=request._policy_before,
                      after=policy_state(policy), message="via admin")

    def delete_model(self, request, obj):
        services.delete_policy(obj, by=request.user)


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "worker", "started_at", "finished_at", "ok", "status_code",
                       "error"]

    def has_view_permission(self, request, obj=None):
        return request.user.can("view")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(RoleAdmin):
    list_display = ["subject", "channel", "recipient", "status", "attempts", "next_attempt_at",
                    "created_at"]
    list_filter = ["status", "channel"]
    search_fields = ["subject", "recipient", "idempotency_key"]
    date_hierarchy = "created_at"
    inlines = [AttemptInline]
    actions = ["retry"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the outbox is written by services only

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.can("change_policy") or request.user.can("run_reviews")

    @admin.action(description="Retry the selected dead letters", permissions=["retry"])
    def retry(self, request, queryset):
        retried = 0
        for notification in queryset.filter(status=NotificationStatus.DEAD):
            try:
                services.retry_dead(notification, by=request.user, now=timezone.now())
                retried += 1
            except DomainError as exc:
                self.message_user(request, exc.message, messages.WARNING)
        self.message_user(request, f"{retried} dead letter(s) back in the outbox.")


@admin.register(Escalation)
class EscalationAdmin(RoleAdmin):
    list_display = ["subject", "level", "clock_ref", "at", "acknowledged_at", "decided_at",
                    "follow_up_status"]
    list_filter = ["level", "requires_ack"]
    search_fields = ["subject", "clock_ref", "ticket_ref", "key"]
    date_hierarchy = "at"

    @admin.display(description="follow-up")
    def follow_up_status(self, obj):
        return (obj.follow_up or {}).get("status", "")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # acknowledge and decide through the API or the web pages

    def has_delete_permission(self, request, obj=None):
        return False
