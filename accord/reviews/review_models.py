"""Reviews: a performance or agreement review of one agreement, its frozen figures, minutes,
decisions and per-target verdicts (imported into ``models``)."""

from django.conf import settings
from django.db import models

from accord.agreements.models import Agreement, AgreementVersion, Target

from .choices import ReviewKind, ReviewStatus, Verdict


class Review(models.Model):
    agreement = models.ForeignKey(Agreement, models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=16, choices=ReviewKind.choices)
    period = models.CharField(
        max_length=16, help_text="The period reviewed: 2025-03, 2025-Q1, 2025 (performance), "
        "or the version reviewed, v2 (agreement).")
    due = models.DateField(help_text="The date it should be held by.")
    status = models.CharField(max_length=16, choices=ReviewStatus.choices,
                              default=ReviewStatus.SCHEDULED)
    held_on = models.DateField(null=True, blank=True)
    attendees = models.JSONField(default=list, blank=True,
                                 help_text='[{"name": ..., "party": "provider"|"customer"}]')
    figures = models.JSONField(null=True, blank=True,
                               help_text="The compliance report, frozen when opened.")
    figures_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    reminded_owner_at = models.DateTimeField(null=True, blank=True)
    reminded_slm_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "kind", "period"],
                                               name="uniq_review_per_agreement_kind_period")]
        indexes = [models.Index(fields=["status", "due"], name="review_status_due")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period} of {self.agreement.reference}"

    @property
    def is_closed(self) -> bool:
        return self.status in (ReviewStatus.CLOSED, ReviewStatus.CANCELLED)


class Decision(models.Model):
    """Who decided what, when. After closing, only corrections (``corrects``) are added."""

    review = models.ForeignKey(Review, models.CASCADE, related_name="decisions")
    who = models.CharField(max_length=150)
    what = models.TextField()
    decided_on = models.DateField()
    corrects = models.ForeignKey("self", models.PROTECT, null=True, blank=True,
                                 related_name="corrections")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"decision #{self.pk} of review {self.review_id}: {self.what[:60]}"


class TargetVerdict(models.Model):
    """Keep, tighten, relax or retire one target, applied to the agreement's draft version."""

    review = models.ForeignKey(Review, models.CASCADE, related_name="verdicts")
    target = models.ForeignKey(Target, models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    objective_percent = models.DecimalField(max_digits=7, decimal_places=4, null=True,
                                            blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    draft = models.ForeignKey(AgreementVersion, models.SET_NULL, null=True, blank=True,
                              related_name="+", help_text="The draft it was applied to.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"{self.verdict} target {self.target_id} (review {self.review_id})"
