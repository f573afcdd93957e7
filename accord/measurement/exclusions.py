"""Breach exclusions: annotations of breached clocks that the reporting aggregation reads.

A breached clock can be claimed as excluded with a reason and evidence; the counterparty's
signatory or a service level manager approves or rejects the claim (the workflow lives in
``accord.reviews``). An approved exclusion never changes the clock itself: reporting counts it
among ``breached`` and as ``excluded``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

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
