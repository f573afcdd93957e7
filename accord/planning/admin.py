"""The administrator maintains agreement templates here. Saving never edits a version in
place: it writes the next version of the template (``templating.save_template``)."""

from django.contrib import admin
from django.utils import timezone

from .models import AgreementTemplate, FitAcknowledgement
from .templating import TEMPLATE_FIELDS, save_template


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "number", "kind", "structure", "review_cadence_months", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    readonly_fields = ("number", "created_at", "created_by")
    fields = ("name", "number", "kind", "structure", "description", "sections", "targets",
              "priority_matrix", "calendar", "escalation_steps", "review_cadence_months",
              "created_at", "created_by")

    def save_model(self, request, obj, form, change):
        saved = save_template(obj.name, by=request.user, now=timezone.now(),
                              **{f: getattr(obj, f) for f in TEMPLATE_FIELDS})
        obj.pk, obj.number, obj.created_at = saved.pk, saved.number, saved.created_at

    def has_delete_permission(self, request, obj=None):
        return False  # agreements cite the version they came from


@admin.register(FitAcknowledgement)
class FitAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ("version", "by", "at")
    readonly_fields = ("version", "by", "reason", "misfits", "at")

    def has_add_permission(self, request):
        return False
