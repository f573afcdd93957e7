from django.contrib import admin

from accord.measurement.models import ReasonCode

from .models import Action, Governance, Plan, Review, Risk


@admin.register(ReasonCode)
class ReasonCodeAdmin(admin.ModelAdmin):
    """The configurable breach reason codes (administrators)."""

    list_display = ["code", "label", "active"]


@admin.register(Governance)
class GovernanceAdmin(admin.ModelAdmin):
    list_display = ["agreement", "cadence", "repeated_breaches"]


admin.site.register(Action, list_display=["title", "owner", "due", "status"])
admin.site.register(Review, list_display=["agreement", "kind", "period", "due", "status"])
admin.site.register(Plan, list_display=["title", "agreement", "status"])
admin.site.register(Risk, list_display=["title", "score", "status"])
