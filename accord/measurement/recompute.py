"""Rebuilding stored clocks: everything, a time range, one agreement, or what a calendar
change made stale.

Stored clocks are a cache of the engine's results (DESIGN decision 3). A calendar change is
caught by version: each clock row keeps the ``Calendar.version`` it was computed with, and a
saved Calendar whose version moved on recomputes the tickets whose clocks used it
(``calendar_changed``, connected to Calendar's post_save in ``apps.py``, passes the instant
of the change as ``now``). Agreement versions are immutable once signed; a newly signed
version is picked up with ``accord recompute --agreement``.
"""

from datetime import datetime

from django.db import transaction

from accord.agreements.models import AgreementVersion

from .applicability import Applicability
from .clock_models import Clock
from .clocks import CHUNK, recompute_tickets
from .models import Ticket


def tickets_to_recompute(*, since: datetime | None = None, agreement=None) -> list[int]:
    """Ticket pks: opened at or after ``since``; of ``agreement`` (an id), those with its
    clocks and those opened while one of its versions was in force."""
    tickets = Ticket.objects.filter(opened_at__isnull=False)
    if since is not None:
        tickets = tickets.filter(opened_at__gte=since)
    if agreement is None:
        return list(tickets.order_by("pk").values_list("pk", flat=True))
    ids = set(Clock.objects.filter(agreement_id=agreement).values_list("ticket_id", flat=True))
    for start, end in AgreementVersion.objects.filter(
            agreement_id=agreement, frozen_at__isnull=False).values_list(
            "effective_from", "effective_to"):
        covered = tickets.filter(opened_at__gte=start)
        if end is not None:
            covered = covered.filter(opened_at__lt=end)
        ids.update(covered.values_list("pk", flat=True))
    if since is not None:
        ids &= set(tickets.values_list("pk", flat=True))
    return sorted(ids)


def recompute(now: datetime, *, since=None, agreement=None, progress=None) -> tuple[int, int]:
    """Rebuild the clocks of the selected tickets as of ``now``, one transaction per batch.
    Returns (tickets, clocks stored). ``progress(n)`` is called after each batch."""
    ids = tickets_to_recompute(since=since, agreement=agreement)
    applicability = Applicability()
    stored = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        with transaction.atomic():
            stored += recompute_tickets(chunk, now, applicability=applicability)
        if progress is not None:
            progress(len(chunk))
    return len(ids), stored


def calendar_changed(calendar, now: datetime) -> int:
    """Recompute the tickets whose clocks were computed with an older version of
    ``calendar``. Returns the number of tickets."""
    ids = sorted(set(Clock.objects.filter(calendar_id=calendar.pk).exclude(
        calendar_version=calendar.version).values_list("ticket_id", flat=True)))
    if ids:
        recompute_tickets(ids, now)
    return len(ids)
