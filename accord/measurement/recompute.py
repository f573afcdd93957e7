"""Rebuilding stored clocks: everything, a time range, one agreement, or what a calendar
change made stale.

Stored clocks are a cache of the engine's results (DESIGN decision 3). A calendar change is
caught by version: each clock row keeps the ``Calendar.version`` it was computed with, and a
saved Calendar whose version moved on recomputes the tickets whose clocks used it
(``calendar_changed``, connected to Calendar's post_save in ``apps.py``, passes the instant
of the change as ``now``). Agreement versions are immutable once signed; a newly signed
version is picked up with ``accord recompute --agreement``.
"""

import logging
import multiprocessing
import queue
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime, timedelta

from django.db import connection, connections, transaction
from django.db.models import Min

from accord.agreements.models import AgreementVersion
from accord.agreements.queries import coverage_ends

from .applicability import Applicability
from .choices import ClockState
from .clock_models import Clock
from .clocks import CHUNK, compute_chunk, recompute_tickets, store_rows
from .models import Ticket, TicketEvent
from .services._bulk import gc_paused, refresh_statistics


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


ANALYZE_FROM = 10_000  # tickets recomputed at once after which the tables are ANALYZEd


def recompute(now: datetime, *, since=None, agreement=None, progress=None,
              workers: int = 1) -> tuple[int, int]:
    """Rebuild the clocks of the selected tickets as of ``now``, one transaction per batch.
    Returns (tickets, clocks stored). ``progress(n)`` is called as batches are done."""
    ids = tickets_to_recompute(since=since, agreement=agreement)
    return len(ids), recompute_ids(ids, now, progress=progress, workers=workers)


def recompute_ids(ids: list[int], now: datetime, *, progress=None, workers: int = 1) -> int:
    """Rebuild the clocks of the tickets with these pks, one transaction per batch.
    Returns the number of clocks stored.

    On PostgreSQL, outside a transaction, a writer thread stores each batch on its own
    connection while the next one is computed, and ``workers`` > 1 splits the tickets into
    that many contiguous ranges, one process each. SQLite (one writer) and callers inside
    a transaction get the plain loop, whose writes are part of their transaction.
    """
    ids = list(ids)
    concurrent = connection.vendor == "postgresql" and not connection.in_atomic_block
    if concurrent and workers > 1 and len(ids) > 1:
        stored = _in_processes(ids, now, min(workers, len(ids)), progress)
    else:
        stored = _recompute_range(ids, now, progress, concurrent)
    if concurrent and len(ids) >= ANALYZE_FROM:
        # Many clocks rewritten: without fresh statistics the planner reads the clock table
        # as it was (a month's "tickets with a clock of this agreement" took 20 s instead of
        # 0.3 s on 1 M tickets until autovacuum came round).
        refresh_statistics(Clock, Ticket)
    return stored


def _recompute_range(ids, now, progress=None, concurrent=False, applicability=None) -> int:
    applicability = applicability or Applicability()
    chunks = (ids[start:start + CHUNK] for start in range(0, len(ids), CHUNK))
    if not concurrent:
        stored = 0
        for chunk in chunks:
            with transaction.atomic():
                stored += recompute_tickets(chunk, now, applicability=applicability)
            if progress is not None:
                progress(len(chunk))
        return stored
    with gc_paused(), _Writer() as writer:
        for chunk in chunks:
            writer.put(*compute_chunk(chunk, now, {}, applicability))
            if progress is not None:
                progress(len(chunk))
    return writer.stored


class _Writer:
    """Stores computed batches (``store_rows``), each in its own transaction, on a thread
    with its own connection; psycopg releases the GIL while PostgreSQL works."""

    def __init__(self):
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.stored = 0
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="accord-clock-writer",
                                       daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def put(self, ticket_pks, rows) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((ticket_pks, rows))

    def __exit__(self, exc_type, exc, tb):
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and exc_type is None:
            raise self.error

    def _loop(self):
        try:
            while (item := self.queue.get()) is not None:
                if self.error is not None:
                    continue  # drain, so the producer never blocks
                try:
                    with transaction.atomic():
                        store_rows(*item)
                    self.stored += len(item[1])
                except BaseException as exc:  # re-raised in the producer's thread
                    self.error = exc
        finally:
            connection.close()


def _in_processes(ids, now, workers, progress) -> int:
    """``_recompute_range`` over ``workers`` contiguous ranges of ``ids``, one forked
    process (and connection) each."""
    size = -(-len(ids) // workers)
    ranges = [ids[start:start + size] for start in range(0, len(ids), size)]
    connections.close_all()  # a forked child must open its own connection
    stored = 0
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(len(ranges), mp_context=context) as pool:
        futures = {pool.submit(_worker_range, part, now): len(part)
                   for part in ranges}
        for future in as_completed(futures):
            stored += future.result()
            if progress is not None:
                progress(futures[future])
    return stored


_applicability: Applicability | None = None  # of the one run a ``Behind`` process serves


def _behind_range(ids, now) -> int:
    """In a ``Behind`` process: one hand-over, on a connection closed afterwards."""
    global _applicability
    if _applicability is None:
        _applicability = Applicability()
    try:
        return _recompute_range(ids, now, concurrent=True, applicability=_applicability)
    finally:
        connection.close()


def _worker_range(ids, now) -> int:
    """In a ``--workers`` process: one range, on a connection closed afterwards."""
    try:
        return _recompute_range(ids, now, concurrent=True)
    finally:
        connection.close()


class Behind:
    """Recomputes the clocks of tickets while their caller goes on storing events (an import).

    ``add(ids)`` hands over tickets whose events are all stored and committed. On PostgreSQL,
    outside a transaction, one forked process computes and stores them meanwhile (the second
    core); a ticket handed over again later is recomputed once more by ``finish()``, after the
    process is done, so an older computation never lands last. Elsewhere (SQLite, or
    inside a transaction) ``finish()`` does all the work itself.
    """

    def __init__(self, now: datetime):
        self.now = now
        self.pending: set[int] = set()
        self.submitted: set[int] = set()
        self.futures: list = []
        self.pool = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            connections.close_all()  # the child must open its own connection
            self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            self.pool.submit(int).result()  # fork now, while no connection is open

    def __enter__(self):
        return self

    def add(self, ids) -> None:
        ids = set(ids)
        if self.pool is None:
            self.pending |= ids
            return
        self.pending |= ids & self.submitted
        new = ids - self.submitted
        if new:
            self.submitted |= new
            self.futures.append(self.pool.submit(_behind_range, sorted(new), self.now))

    def finish(self) -> None:
        """Wait for the process, then recompute what was handed over more than once."""
        for future in self.futures:
            future.result()
        self.futures.clear()
        recompute_ids(sorted(self.pending), self.now)
        self.pending.clear()

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def calendar_changed(calendar, now: datetime) -> int:
    """Recompute the tickets whose clocks were computed with an older version of
    ``calendar``. Returns the number of tickets."""
    ids = sorted(set(Clock.objects.filter(calendar_id=calendar.pk).exclude(
        calendar_version=calendar.version).values_list("ticket_id", flat=True)))
    if ids:
        recompute_tickets(ids, now)
    return len(ids)


log = logging.getLogger("accord.worker")
REFRESH_BATCH = 500  # tickets per unit of the worker's refresh


RETRY_AFTER = timedelta(minutes=10)  # a ticket whose recompute failed is left alone so long
_failed: dict[int, datetime] = {}  # ticket pk -> when this worker process may try it again


def stale_tickets(now: datetime, limit: int = REFRESH_BATCH) -> list[int]:
    """Tickets whose stored clocks are wrong at ``now`` without a recompute: those with an
    event stamped ahead of their last computation that has come (``Ticket.recheck_at``), and
    those with a clock still open under an agreement that has ended (to be closed as
    ended). Tickets whose recompute failed lately are left out for RETRY_AFTER."""
    for pk, until in list(_failed.items()):
        if until <= now:
            del _failed[pk]
    skip = list(_failed)
    ids = list(Ticket.objects.filter(recheck_at__lte=now).exclude(pk__in=skip)
               .order_by("recheck_at").values_list("pk", flat=True)[:limit])
    ended = coverage_ends(now)
    if ended and len(ids) < limit:
        ids += Clock.objects.filter(agreement_id__in=list(ended), stopped_at__isnull=True).exclude(
            state=ClockState.CANCELLED).exclude(ticket_id__in=ids + skip).order_by(
            "ticket_id").values_list("ticket_id", flat=True).distinct()[:limit - len(ids)]
    return ids


def next_recheck_at() -> datetime | None:
    """The earliest planned recheck of a ticket (for the worker's sleep)."""
    return (Ticket.objects.filter(recheck_at__isnull=False).order_by("recheck_at")
            .values_list("recheck_at", flat=True).first())


def refresh_stale(now: datetime, limit: int = REFRESH_BATCH) -> int:
    """The worker's refresh unit: recompute up to ``limit`` ``stale_tickets`` as of ``now``
    in one transaction, each ticket locked (one skipped when another worker holds it).
    Returns how many were recomputed."""
    ids = stale_tickets(now, limit)
    if not ids:
        return 0
    try:
        return _refresh(ids, now)
    except Exception:
        if len(ids) == 1:
            _failed[ids[0]] = now + RETRY_AFTER
            raise
    # One bad ticket must not hold up the batch: one at a time, the failing ones set aside.
    done = 0
    for pk in ids:
        try:
            done += _refresh([pk], now)
        except Exception:
            log.exception("ticket %s: recomputing its clocks failed; trying again in %s",
                          pk, RETRY_AFTER)
            _failed[pk] = now + RETRY_AFTER
    return done


def _refresh(ids, now: datetime) -> int:
    with transaction.atomic():
        locked = Ticket.objects.filter(pk__in=ids).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            locked = locked.select_for_update(skip_locked=True)
        ids = list(locked.values_list("pk", flat=True))
        if ids:
            recompute_tickets(ids, now)
            _replan_rechecks(ids, now)
    return len(ids)


def _replan_rechecks(ids, now: datetime) -> None:
    """After recomputing ``ids`` as of ``now``: the next event still ahead, or none."""
    ahead = dict(TicketEvent.objects.filter(ticket_id__in=ids, timestamp__gt=now).values(
        "ticket_id").annotate(first=Min("timestamp")).values_list("ticket_id", "first"))
    Ticket.objects.filter(pk__in=ids, recheck_at__isnull=False).exclude(
        pk__in=list(ahead)).update(recheck_at=None)
    for pk, at in ahead.items():
        Ticket.objects.filter(pk=pk).update(recheck_at=at)
