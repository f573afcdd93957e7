"""Breach exclusions: annotations of breached clocks that the reporting aggregation reads.

A breached clock can be claimed as excluded with a reason and evidence; the counterparty's
signatory or a service level manager approves or rejects the claim (the workflow lives in
``accord.reviews``). An approved exclusion never changes the clock itself: reporting counts it
among ``breached`` and as ``excluded``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accord.agreements.choices import Period as PeriodKind

from .choices import ExclusionReason, ExclusionStatus, ResponsibleParty


class ClockExclusion(models.Model):
    clock = models.ForeignKey("measurement.Clock", models.CASCADE, related_name="exclusions")
    reason = models.CharField(max_length=32, choices=ExclusionReason.choices)
    explanation = models.TextField(help_text="Why the breach should not count.")
    evidence = models.TextField(help_text="What shows it (references, notes, document ids).")
    status = models.CharField(max_length=16, choices=ExclusionStatus.choices,
                              default=ExclusionStatus.PENDING)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    claimed_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        constraints = [
            # One live claim per clock: a rejected one may be followed by a new claim.
            models.UniqueConstraint(
                fields=["clock"], name="uniq_live_exclusion_per_clock",
                condition=Q(status__in=[ExclusionStatus.PENDING, ExclusionStatus.APPROVED])),
        ]
        indexes = [models.Index(fields=["clock"], name="exclusion_approved",
                                condition=Q(status=ExclusionStatus.APPROVED))]

    def __str__(self):
        return f"exclusion #{self.pk} of clock {self.clock_id} ({self.status})"


class ReasonCode(models.Model):
    """The configurable list of breach reason codes (administrators keep it)."""

    code = models.CharField(max_length=32, unique=True)
    label = models.CharField(max_length=150)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.label}"


class BreachInvestigation(models.Model):
    """Why one breached clock breached: reason code, root cause, the responsible party
    (suggested from the clock's attribution, confirmed by a person) and problem tickets.
    Reporting's ``breaches_by_party`` uses the confirmed party where there is one."""

    clock = models.OneToOneField("measurement.Clock", models.CASCADE,
                                 related_name="investigation")
    reason = models.ForeignKey(ReasonCode, models.PROTECT, null=True, blank=True,
                               related_name="+")
    root_cause = models.TextField(blank=True)
    suggested_party = models.CharField(max_length=16, choices=ResponsibleParty.choices,
                                       default=ResponsibleParty.UNKNOWN)
    party = models.CharField(max_length=16, choices=ResponsibleParty.choices, blank=True,
                             help_text="Confirmed by a person; empty: not confirmed.")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    problems = models.ManyToManyField("measurement.Ticket", blank=True, related_name="+",
                                      help_text="Problem records behind the breach.")
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["clock"], name="investigation_confirmed",
                                condition=~Q(party=""))]

    def __str__(self):
        return f"investigation of clock {self.clock_id}"


class ObjectiveInvestigation(models.Model):
    """Why one target of an agreement missed its objective in one period (a month, quarter
    or year in the agreement's reporting zone): reason code, root cause, the responsible
    party (suggested from who held most of the breached business time of the target's
    clocks in the period, confirmed by a person) and problem tickets.

    Keyed by the target's *key* (metric, service, ticket type, priority), which a target
    keeps across the versions of its agreement, and the period. Whether the objective was
    missed is the compliance report's verdict (``accord.reviews.objectives`` checks it;
    this module sits below reporting). Reporting's ``breaches_by_party`` counts breaches,
    so it reads the breach investigations, never these."""

    agreement = models.ForeignKey("agreements.Agreement", models.CASCADE,
                                  related_name="objective_investigations")
    metric = models.CharField(max_length=16)
    service = models.ForeignKey("catalogue.Service", models.PROTECT, null=True, blank=True,
                                related_name="+", help_text="Empty: the target's scope is "
                                "any service.")
    ticket_type = models.CharField(max_length=64, blank=True)
    priority = models.CharField(max_length=32, blank=True)
    period_kind = models.CharField(max_length=8, choices=PeriodKind.choices)
    period_start = models.DateTimeField(help_text="Local midnight of its first day (stored "
                                        "in UTC).")
    period_end = models.DateTimeField()
    reason = models.ForeignKey(ReasonCode, models.PROTECT, null=True, blank=True,
                               related_name="+")
    root_cause = models.TextField(blank=True)
    suggested_party = models.CharField(max_length=16, choices=ResponsibleParty.choices,
                                       default=ResponsibleParty.UNKNOWN)
    party = models.CharField(max_length=16, choices=ResponsibleParty.choices, blank=True,
                             help_text="Confirmed by a person; empty: not confirmed.")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    problems = models.ManyToManyField("measurement.Ticket", blank=True, related_name="+",
                                      help_text="Problem records behind the missed objective.")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-period_start", "agreement", "metric", "priority", "id"]
        constraints = [
            # One per agreement, target key and period; a scope of any service (NULL) is a
            # key of its own, which a plain unique constraint would not hold.
            models.UniqueConstraint(
                fields=["agreement", "metric", "service", "ticket_type", "priority",
                        "period_kind", "period_start"],
                condition=Q(service__isnull=False), name="uniq_objective_investigation"),
            models.UniqueConstraint(
                fields=["agreement", "metric", "ticket_type", "priority", "period_kind",
                        "period_start"],
                condition=Q(service__isnull=True), name="uniq_objective_investigation_any"),
        ]

    def __str__(self):
        scope = " ".join(x for x in (self.metric, self.ticket_type, self.priority) if x)
        return f"investigation of {scope} in {self.period_start:%Y-%m-%d} ({self.period_kind})"

    @property
    def key(self) -> dict:
        """The target key as the compliance report writes it."""
        return {"metric": self.metric,
                "service": self.service.name if self.service_id else None,
                "type": self.ticket_type or None, "priority": self.priority or None}
