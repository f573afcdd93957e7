"""Back-office editing of agreements. Every save goes through the services (so it is
validated and audited), each form is checked by a dry run of the same service call, and
signed versions are read-only. Only roles that may ``change_agreement`` edit."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils import timezone

from accord.lib.errors import DomainError

from . import services, slrs, versions
from .models import (
    Agreement,
    AgreementVersion,
    Approval,
    PriorityMatrixCell,
    ServiceLevelRequirement,
    Target,
)
from .validation import TARGET_FIELDS, clean_target


class _DryRun(Exception):
    pass


def _report(form, exc: DomainError) -> None:
    field = exc.field.split(".")[0].split("[")[0] if exc.field else None
    form.add_error(field if field in form.fields else None, exc.message)


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose ``perform(request, pk, form)`` does the save through a service."""

    permission = "change_agreement"

    def perform(self, request, pk, form):
        raise NotImplementedError

    def _staff(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and not user.is_portal and user.can("view")

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request)

    def has_add_permission(self, request):
        return self._staff(request) and request.user.can(self.permission)

    def has_change_permission(self, request, obj=None):
        return self._staff(request) and request.user.can(self.permission)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)
        model_admin, pk = self, obj.pk if obj else None

        class Checked(base):
            def clean(self):
                data = super().clean()
                if self.errors:
                    return data
                try:
                    with transaction.atomic():
                        model_admin.perform(request, pk, self)
                        raise _DryRun
                except _DryRun:
                    pass
                except DomainError as exc:
                    _report(self, exc)
                return data

        return Checked

    def save_model(self, request, obj, form, change):
        saved = self.perform(request, obj.pk if change else None, form)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields were saved by the service; only inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Agreement)
class AgreementAdmin(ServiceAdmin):
    list_display = ("reference", "name", "kind", "structure", "status", "customer", "team",
                    "supplier", "owner")
    list_filter = ("kind", "structure", "status")
    search_fields = ("name", "description", "customer__name", "team__name", "supplier__name")
    autocomplete_fields = ()
    filter_horizontal = ("services", "underpins")
    readonly_fields = ("status", "status_changed_at", "last_reviewed_at", "created_at")
    fields = ("name", "kind", "structure", "status", "description", "customer", "team",
              "supplier", "parent", "services", "underpins", "calendar", "owner",
              "monthly_charge", "currency", "credit_cap_percent", "reporting_time_zone",
              "survey_on_resolve",
              "auto_lifecycle", "auto_review",
              *readonly_fields[1:])

    def perform(self, request, pk, form):
        data = form.cleaned_data
        values = {name: data[name] for name in services.EDITABLE if name in data}
        for many in ("services", "underpins"):
            values[many] = list(values.get(many) or [])
        now = timezone.now()
        if pk is None:
            return services.create_agreement(by=request.user, now=now, **values)
        changes = {name: values[name] for name in form.changed_data if name in values}
        return services.update_agreement(Agreement.objects.get(pk=pk), by=request.user,
                                         now=now, **changes)


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = (*TARGET_FIELDS, "service", "calendar", "position")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credit_basis"].required = False  # empty: per missed objective

    def clean(self):
        data = super().clean()
        if not self.errors and not self.cleaned_data.get("DELETE"):
            try:
                clean_target({k: data.get(k) for k in TARGET_FIELDS})
            except DomainError as exc:
                _report(self, exc)
        return data


class TargetFormSet(forms.BaseInlineFormSet):
    """Checks across the rows what the service checks per target: one target per metric and
    scope, and only services the agreement covers."""

    def clean(self):
        super().clean()
        covered = list(self.instance.agreement.services.all())
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            key = (data.get("metric"), data.get("service"), data.get("ticket_type") or "",
                   data.get("priority") or "")
            if key in seen:
                form.add_error("metric", "another target has the same metric and scope")
            seen.add(key)
            if data.get("service") and covered and data["service"] not in covered:
                form.add_error("service", f"{data['service']} is not a service of this "
                               "agreement")


class TargetInline(admin.StackedInline):
    model = Target
    form = TargetForm
    formset = TargetFormSet
    extra = 0

    def _draft(self, obj) -> bool:
        return obj is not None and not obj.is_frozen

    def has_add_permission(self, request, obj=None):
        return self._draft(obj) and request.user.can("change_agreement")

    def has_change_permission(self, request, obj=None):
        return self._draft(obj) and request.user.can("change_agreement")

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj) and request.user.can("change_agreement")

    def has_view_permission(self, request, obj=None):
        return True


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0
    fields = ("party", "signatory", "signatory_user", "user", "on_behalf", "evidence", "at",
              "comment", "invalidated_at", "invalidated_reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ServiceAdmin):
    list_display = ("__str__", "agreement", "number", "status", "effective_from",
                    "effective_to", "review_due", "frozen_at")
    list_filter = ("status",)
    search_fields = ("agreement__name", "text", "change_summary")
    inlines = (TargetInline, ApprovalInline)
    readonly_fields = ("number", "status", "frozen_at", "content_hash", "created_at",
                       "created_by")

    def get_fields(self, request, obj=None):
        editable = ("text", "change_summary", "effective_from", "effective_to", "review_due")
        if obj is None:
            return ("agreement", *editable)
        return ("agreement", *editable, *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (("agreement",) if obj else ())

    def has_change_permission(self, request, obj=None):
        frozen = obj is not None and obj.is_frozen
        return super().has_change_permission(request, obj) and not frozen

    def has_delete_permission(self, request, obj=None):
        return (obj is not None and not obj.is_frozen and obj.number > 1
                and super().has_change_permission(request, obj))

    def perform(self, request, pk, form):
        data, now = form.cleaned_data, timezone.now()
        fields = {k: data[k] for k in form.changed_data if k != "agreement"}
        if pk is None:
            return versions.new_draft_version(data["agreement"], by=request.user, now=now,
                                              **fields)
        return versions.update_version(AgreementVersion.objects.get(pk=pk), by=request.user,
                                       now=now, **fields)

    def save_formset(self, request, form, formset, change):
        # The admin's change message reads these three lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not Target:
            return  # approvals are read-only
        version, now = form.instance, timezone.now()
        for inline in formset.deleted_forms:
            if inline.instance.pk:
                versions.delete_target(inline.instance, by=request.user, now=now)
                formset.deleted_objects.append(inline.instance)
        for inline in formset.forms:
            if not inline.has_changed() or inline in formset.deleted_forms:
                continue
            values = {k: v for k, v in inline.cleaned_data.items()
                      if k in (*TARGET_FIELDS, "service", "calendar", "position")}
            if inline.instance.pk is None:
                target = versions.add_target(version, by=request.user, now=now, **values)
                formset.new_objects.append(target)
            else:
                changed = {k: values[k] for k in inline.changed_data if k in values}
                target = versions.update_target(inline.instance, by=request.user, now=now,
                                                **changed)
                formset.changed_objects.append((target, list(changed)))

    def delete_model(self, request, obj):
        versions.delete_draft_version(obj, by=request.user, now=timezone.now())


@admin.register(ServiceLevelRequirement)
class ServiceLevelRequirementAdmin(ServiceAdmin):
    list_display = ("__str__", "customer", "service", "status", "feasibility", "created_at")
    list_filter = ("status", "feasibility")
    search_fields = ("title", "text", "customer__name", "requested_by")
    readonly_fields = ("status", "feasibility", "evaluation_notes", "evaluated_by",
                       "evaluated_at", "version", "converted_at", "created_at", "created_by")

    def perform(self, request, pk, form):
        data, now = form.cleaned_data, timezone.now()
        values = {k: data[k] for k in slrs.SLR_FIELDS if k in data}
        if pk is None:
            return slrs.create_slr(by=request.user, now=now, **values)
        changes = {k: values[k] for k in form.changed_data if k in values}
        return slrs.update_slr(ServiceLevelRequirement.objects.get(pk=pk), by=request.user,
                               now=now, **changes)


@admin.register(PriorityMatrixCell)
class PriorityMatrixCellAdmin(ServiceAdmin):
    list_display = ("agreement", "impact", "urgency", "priority")
    list_filter = ("priority",)
    search_fields = ("agreement__name", "impact", "urgency", "priority")

    def has_change_permission(self, request, obj=None):
        needed = "change_policy" if obj is not None and obj.agreement_id is None else None
        return super().has_change_permission(request, obj) and (
            needed is None or request.user.can(needed)
        )

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def _cells(self, agreement, without=None):
        return [{"impact": c.impact, "urgency": c.urgency, "priority": c.priority}
                for c in PriorityMatrixCell.objects.filter(agreement=agreement)
                if c.pk != without]

    def perform(self, request, pk, form):
        data = form.cleaned_data
        agreement = data.get("agreement")
        if agreement is None and not request.user.can("change_policy"):
            raise DomainError("the global priority matrix is policy: administrators set it",
                              field="agreement")
        if pk is not None:
            old = PriorityMatrixCell.objects.get(pk=pk)
            if old.agreement_id != getattr(agreement, "pk", None):
                services.set_priority_matrix(old.agreement,
                                             self._cells(old.agreement, without=pk),
                                             by=request.user)
        cells = [c for c in self._cells(agreement, without=pk)
                 if (c["impact"], c["urgency"]) != (data["impact"], data["urgency"])]
        cells.append({k: data[k] for k in ("impact", "urgency", "priority")})
        services.set_priority_matrix(agreement, cells, by=request.user)
        return PriorityMatrixCell.objects.get(agreement=agreement, impact=data["impact"],
                                              urgency=data["urgency"])

    def delete_model(self, request, obj):
        services.set_priority_matrix(obj.agreement, self._cells(obj.agreement, without=obj.pk),
                                     by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
