"""The governance layer: actions (this module), reviews, plans and risks.

An action is owned work with a due date, raised by hand, from a breach (an escalation's
follow-up, one click on a clock, or automatically when the same target breaches N times in a
period), a review or a plan, and closed only with evidence.
"""

from datetime import date

from django.conf import settings
from django.db import models

from accord.agreements.models import Agreement
from accord.catalogue.models import Service

from .choices import LIVE_ACTION, ActionSource, ActionStatus, Cadence, RiskStatus


class Governance(models.Model):
    """Per-agreement governance settings (created on first use with the defaults)."""

    agreement = models.OneToOneField(Agreement, models.CASCADE, related_name="governance")
    repeated_breaches = models.PositiveIntegerField(
        default=3, help_text="The same target breached this many times in a month raises one "
        "action.")
    cadence = models.CharField(max_length=8, choices=Cadence.choices, default=Cadence.QUARTER,
                               help_text="How often its performance is reviewed.")

    def __str__(self):
        return f"governance of {self.agreement}"


class Action(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                              related_name="actions",
                              help_text="Empty only when nobody could be found to own it.")
    due = models.DateField()
    status = models.CharField(max_length=16, choices=ActionStatus.choices,
                              default=ActionStatus.OPEN)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done (0-100).")
    risk_status_set = models.CharField(max_length=16, choices=RiskStatus.choices, blank=True,
                                       help_text="Set by hand; empty: computed.")
    source = models.CharField(max_length=16, choices=ActionSource.choices,
                              default=ActionSource.MANUAL)
    agreement = models.ForeignKey(Agreement, models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    service = models.ForeignKey(Service, models.SET_NULL, null=True, blank=True,
                                related_name="+")
    clock = models.ForeignKey("measurement.Clock", models.SET_NULL, null=True, blank=True,
                              related_name="+")
    review = models.ForeignKey("reviews.Review", models.SET_NULL, null=True, blank=True,
                               related_name="actions")
    plan = models.ForeignKey("reviews.Plan", models.SET_NULL, null=True, blank=True,
                             related_name="actions")
    risk = models.ForeignKey("reviews.Risk", models.SET_NULL, null=True, blank=True,
                             related_name="actions", help_text="The risk it mitigates.")
    escalation = models.ForeignKey("escalation.Escalation", models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True,
                                        related_name="blocks")
    evidence = models.TextField(blank=True, help_text="Closure evidence (required for done).")
    auto_key = models.CharField(
        max_length=200, unique=True, null=True, blank=True,
        help_text="Raised automatically: once per key (e.g. one per target key and period).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_owner_at = models.DateTimeField(null=True, blank=True)
    reminded_service_owner_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["status", "due"], name="action_status_due")]

    def __str__(self):
        return f"action #{self.pk} {self.title}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_ACTION

    def risk_status(self, today: date) -> str:
        """On track, at risk or off track: set by hand, else computed from the due date and
        progress — overdue is off track; blocked, or progress more than a quarter behind the
        time used since it was raised, is at risk."""
        if self.risk_status_set:
            return self.risk_status_set
        if not self.is_live:
            return RiskStatus.ON_TRACK
        if today > self.due:
            return RiskStatus.OFF_TRACK
        if self.status == ActionStatus.BLOCKED:
            return RiskStatus.AT_RISK
        start = self.created_at.date()
        span = (self.due - start).days
        used = (today - start).days / span if span > 0 else 1.0
        if used - self.progress / 100 > 0.25:
            return RiskStatus.AT_RISK
        return RiskStatus.ON_TRACK


from .document_models import Document, DocumentVersion  # noqa: E402
from .plan_models import Plan, Risk  # noqa: E402
from .review_models import Decision, Review, TargetVerdict  # noqa: E402

__all__ = ["Governance", "Action", "Review", "Decision", "TargetVerdict", "Plan", "Risk",
           "Document", "DocumentVersion"]
