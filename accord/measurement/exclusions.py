"""Breach exclusions: annotations of breached clocks that the reporting aggregation reads.

A breached clock can be claimed as excluded with a reason and evidence; the counterparty's
signatory or a service level manager approves or rejects the claim (the workflow lives in
``accord.reviews``). An approved exclusion never changes the clock itself: reporting counts it
among ``breached`` and as ``excluded``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import ExclusionReason, ExclusionStatus


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
