"""A recompute job started from the app: which tickets, who asked, how far it got.

The worker runs it a batch at a time (``jobs.run_recompute_batch``), so ``done``/``total``
move while it runs and a page can show a progress bar.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import JobState, RecomputeScope


class RecomputeJob(models.Model):
    scope = models.CharField(max_length=16, choices=RecomputeScope.choices)
    agreement = models.ForeignKey("agreements.Agreement", models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    calendar = models.ForeignKey("catalogue.Calendar", models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    requested_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=JobState.choices, default=JobState.QUEUED)
    done = models.PositiveIntegerField(default=0, help_text="Tickets recomputed so far.")
    total = models.PositiveIntegerField(null=True, blank=True,
                                        help_text="Tickets to recompute (known once started).")
    clocks = models.PositiveIntegerField(default=0, help_text="Clock rows stored so far.")
    ticket_ids = models.JSONField(default=list, blank=True, editable=False,
                                  help_text="The tickets selected when the job started.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_at"], name="recompute_job_open",
                                condition=Q(state__in=(JobState.QUEUED, JobState.RUNNING)))]

    def __str__(self):
        what = {RecomputeScope.AGREEMENT: f" of {self.agreement}" if self.agreement else "",
                RecomputeScope.CALENDAR: f" for {self.calendar}" if self.calendar else ""}
        return f"recompute #{self.pk}{what.get(self.scope, ' of every ticket')}"

    @property
    def percent(self) -> float:
        if not self.total:
            return 100.0 if self.state == JobState.DONE else 0.0
        return round(100 * self.done / self.total, 1)

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)
