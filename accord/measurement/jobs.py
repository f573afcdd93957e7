"""Recompute jobs started from the app, run by the worker a batch at a time.

``start_recompute`` records the request (audited). The worker's step
``run_recompute_batch`` claims an open job with a compare-and-set UPDATE (a lease, so a
crashed worker's job is picked up again after ``LEASE``), selects its tickets on the first
batch, recomputes ``BATCH`` tickets, writes the progress and lets go; the next pass, by
any worker, does the next batch. A failing batch marks the job failed with the error.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change
from accord.lib.errors import InvalidInput

from .choices import JobState, RecomputeScope
from .clock_models import Clock
from .clocks import recompute_tickets
from .job_models import RecomputeJob
from .recompute import tickets_to_recompute

BATCH = 1000  # tickets per worker unit: small enough for the bar to move, and to stop soon
LEASE = timedelta(minutes=10)


@transaction.atomic
def start_recompute(*, scope: str, by, now: datetime, agreement=None,
                    calendar=None) -> RecomputeJob:
    """Queue a recompute of every ticket, of one agreement's, or of those measured in one
    calendar. InvalidInput names the missing or superfluous field."""
    if scope not in RecomputeScope.values:
        raise InvalidInput(f"scope {scope!r} is not one of {', '.join(RecomputeScope.values)}",
                           "scope")
    if (scope == RecomputeScope.AGREEMENT) != (agreement is not None):
        raise InvalidInput("an agreement recompute names its agreement (and only it does)",
                           "agreement")
    if (scope == RecomputeScope.CALENDAR) != (calendar is not None):
        raise InvalidInput("a calendar recompute names its calendar (and only it does)",
                           "calendar")
    job = RecomputeJob.objects.create(scope=scope, agreement=agreement, calendar=calendar,
                                      requested_by=by, requested_at=now)
    record_change(by, job, AuditAction.CREATE, message=f"{job} requested")
    return job


def select_tickets(job: RecomputeJob) -> list[int]:
    if job.scope == RecomputeScope.AGREEMENT:
        return tickets_to_recompute(agreement=job.agreement_id)
    if job.scope == RecomputeScope.CALENDAR:
        return sorted(set(Clock.objects.filter(calendar_id=job.calendar_id)
                          .values_list("ticket_id", flat=True)))
    return tickets_to_recompute()


def _claim(now: datetime, worker_id: str) -> RecomputeJob | None:
    open_jobs = RecomputeJob.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        state__in=(JobState.QUEUED, JobState.RUNNING),
    ).order_by("requested_at", "id")
    for job in open_jobs[:5]:
        taken = RecomputeJob.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk=job.pk,
            state__in=(JobState.QUEUED, JobState.RUNNING),
        ).update(claimed_by=worker_id[:100], claimed_until=now + LEASE)
        if taken == 1:
            job.refresh_from_db()
            return job
    return None


PROGRESS = ("state", "done", "total", "clocks", "started_at", "finished_at", "error",
            "claimed_by", "claimed_until")  # written per batch; the ticket list only once


def _finish(job: RecomputeJob, now: datetime, state: str, error: str = "") -> None:
    job.state, job.finished_at, job.error = state, now, error
    job.claimed_by, job.claimed_until = "", None
    job.save(update_fields=PROGRESS)
    message = (f"{job} finished: {job.done} tickets, {job.clocks} clocks" if not error
               else f"{job} failed after {job.done} tickets: {error}")
    record_change(None, job, AuditAction.TRANSITION,
                  changes={"state": [JobState.RUNNING, state]}, message=message)


def run_recompute_batch(now: datetime, worker_id: str) -> bool:
    """The worker's step: one batch of the oldest open job. True when it did work."""
    job = _claim(now, worker_id)
    if job is None:
        return False
    try:
        if job.state == JobState.QUEUED:
            job.ticket_ids = select_tickets(job)
            job.total, job.done, job.started_at = len(job.ticket_ids), 0, now
            job.state = JobState.RUNNING
            job.save(update_fields=("ticket_ids", *PROGRESS))
        batch = job.ticket_ids[job.done:job.done + BATCH]
        if batch:
            with transaction.atomic():
                job.clocks += recompute_tickets(batch, now)
            job.done += len(batch)
    except Exception as exc:
        _finish(job, now, JobState.FAILED, f"{type(exc).__name__}: {exc}"[:2000])
        raise
    if job.done >= (job.total or 0):
        _finish(job, now, JobState.DONE)
    else:
        job.claimed_by, job.claimed_until = "", None  # the next batch: any worker
        job.save(update_fields=PROGRESS)
    return True
