"""Stored clocks kept current: recompute a ticket's clocks from all its events.

``recompute_tickets`` is the one writer of ``Clock`` rows. It replays each ticket's events
through the engine for every applied target (see ``applicability``) and upserts the rows by
(ticket, target, cycle): existing rows keep their ids (escalation records point at them),
new cycles are inserted, cycles that no longer exist are deleted. Because the engine sorts
and de-duplicates events, the stored result never depends on arrival order. A chunk's
clocks come from ``accord.clock.compute_rows``, the engine's vectorized path, already in
the form stored here (timelines as JSON text).

A batch of tickets costs a fixed handful of queries: tickets, events, team and supplier
names, existing clock ids, one insert, one update, one delete.
"""

import queue
import sys
import threading
from collections import defaultdict
from datetime import datetime

from accord.clock.clocks import compute_rows
from accord.clock.events import TICKET_FIELDS, aware_utc, stored_event

from .applicability import Applicability, Applied
from .choices import ClockState
from .clock_models import Clock
from .models import Ticket, TicketEvent
from .services._bulk import (
    JSONText,
    gc_paused,
    insert_ignoring_conflicts,
    select_in,
    update_by_pk,
)

CHUNK = 5000  # tickets per batch of reads and writes (5,000 measured 5 % faster than 2,000)
EVENT_COLUMNS = ("ticket", "timestamp", "kind", "source", "event_id", *TICKET_FIELDS,
                 "public", "payload")
TICKET_READ = ("id", "customer", "service", "opened_at")
CLOCK_COLUMNS = (
    "ticket", "target", "agreement", "version", "kind", "metric", "holder", "cycle", "state",
    "started_at", "stopped_at", "elapsed_seconds", "paused_seconds", "target_seconds", "due_at",
    "breached_at", "percent", "warnings", "next_event_at", "transitions", "segments",
    "attribution", "calendar", "calendar_version", "computed_at",
)


def recompute_tickets(ticket_ids, now: datetime, *, histories: dict | None = None,
                      applicability: Applicability | None = None, beside=None) -> int:
    """Recompute and store the clocks of these tickets as of ``now``. ``histories`` maps
    some ticket pks to their complete event lists (else events are read). ``beside`` (a
    ``Beside``) has computed some of them already. Returns the number of clock rows now
    stored for them."""
    now = aware_utc(now, "now")
    ids = set(ticket_ids)
    histories = histories or {}
    applicability = applicability or (beside.applicability if beside else Applicability())
    stored = 0
    with gc_paused():
        if beside is not None:
            for ticket_pks, rows in beside.results():  # what it computed from whole histories
                keep = {pk for pk in ticket_pks if pk in ids and pk in histories}
                store_rows(sorted(keep), [row for row in rows if row[0] in keep], new=True)
                stored += sum(row[0] in keep for row in rows)
                ids -= keep
        ids = sorted(ids)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            stored += _recompute_chunk(chunk, now, histories, applicability)
    return stored


class Beside:
    """Computes the clocks of new tickets on a thread while the caller goes on writing.

    For tickets created by the caller's transaction with their whole history in hand:
    everything read from the database is read here, on the caller's thread; the thread
    then only computes (the engine, no database), chunk by chunk, while the caller's
    connection waits for PostgreSQL to take the events -- waits that release the GIL. The
    caller stores the chunks with ``recompute_tickets(..., beside=this)``, each COPY again
    overlapping the computing of the next chunk.
    """

    CHUNK = 500

    def __init__(self, tickets, histories: dict, now: datetime, applicability=None):
        """``tickets``: (id, customer id, service id, opened_at) of each new ticket."""
        applicability = applicability or Applicability()
        tickets = sorted(tickets)
        self.parts = [read_chunk([t[0] for t in part], histories, applicability, part)
                      for part in (tickets[i:i + self.CHUNK]
                                   for i in range(0, len(tickets), self.CHUNK))]
        self.now = now
        self.applicability = applicability  # the rest of the batch may use it too
        self.queue: queue.Queue = queue.Queue()
        self.cancelled = self.done = False
        _short_switches(True)
        self.thread = threading.Thread(target=self._compute, name="accord-clocks-beside",
                                       daemon=True)
        self.thread.start()

    def _compute(self):
        try:
            for ticket_pks, owners, items in self.parts:
                if self.cancelled:
                    break
                self.queue.put((ticket_pks, rows_of(owners, items, self.now)))
        except BaseException as exc:  # re-raised in the caller's thread
            self.queue.put(exc)
        finally:
            self.queue.put(None)

    def results(self):
        """(ticket pks, their clock rows) per chunk, in order, as they are computed."""
        while not self.done and (item := self.queue.get()) is not None:
            if isinstance(item, BaseException):
                self._finish()
                raise item
            yield item
        self._finish()

    def _finish(self) -> None:
        if not self.done:
            self.done = True
            self.thread.join()
            _short_switches(False)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.cancel()

    def cancel(self) -> None:
        """Stop computing and wait for the thread. The work is thrown away, and so is an
        error it met: the caller's own error (if any) is the one that matters."""
        self.cancelled = True
        if not self.done:
            try:
                for _ in self.results():
                    pass
            except Exception:  # noqa: S110 -- discarded work
                pass


def events_of(ticket_pks, histories=None) -> dict[int, list]:
    """The events of these tickets as engine ``Event``s (from ``histories`` where given)."""
    histories = histories or {}
    by_ticket: dict[int, list] = defaultdict(list)
    unknown = []
    for pk in ticket_pks:
        if pk in histories:
            by_ticket[pk] = list(histories[pk])
        else:
            unknown.append(pk)
    for row in select_in(TicketEvent, EVENT_COLUMNS, "ticket", unknown,
                         empty_as_none=("payload",)):
        pk = row[0]
        by_ticket[pk].append(stored_event(str(pk), *row[1:-1], row[-1] or {}))
    return by_ticket


def holders(events) -> tuple[set[str], set[str]]:
    """Team and supplier names that ever held a ticket with these events."""
    teams = {e.team for e in events if e.team}
    suppliers = {e.supplier for e in events if e.supplier}
    return teams, suppliers


def applied_for(tickets, by_ticket, applicability) -> dict[int, list[Applied]]:
    """Applied targets per ticket pk; ``tickets`` are (id, customer, service, opened_at).
    Alike tickets get the same list object."""
    teams, suppliers = applicability.teams, applicability.suppliers  # those with agreements
    result = {}
    for pk, customer, service, opened_at in tickets:
        team_ids, supplier_ids = (), ()
        if teams or suppliers:
            held_teams, held_suppliers = holders(by_ticket.get(pk, ()))
            team_ids = sorted(teams[n] for n in held_teams if n in teams)
            supplier_ids = sorted(suppliers[n] for n in held_suppliers if n in suppliers)
        result[pk] = applicability.applied(opened_at, customer_id=customer, service_id=service,
                                           team_ids=team_ids, supplier_ids=supplier_ids)
    return result


def _recompute_chunk(chunk, now, histories, applicability) -> int:
    ticket_pks, rows = compute_chunk(chunk, now, histories, applicability)
    store_rows(ticket_pks, rows)
    return len(rows)


_switching = threading.Lock()
_computing_beside = 0
_normal_interval = sys.getswitchinterval()


def _short_switches(on: bool) -> None:
    """While a ``Beside`` computes, the thread that writes mostly waits on PostgreSQL with
    the GIL released; each time it comes back it would wait up to a whole switch interval
    (5 ms) for the computing thread to let go. So the interval is short meanwhile."""
    global _computing_beside, _normal_interval
    with _switching:
        if on:
            if not _computing_beside:
                _normal_interval = sys.getswitchinterval()
                sys.setswitchinterval(min(_normal_interval, 0.0005))
            _computing_beside += 1
        else:
            _computing_beside -= 1
            if not _computing_beside:
                sys.setswitchinterval(_normal_interval)


def compute_chunk(chunk, now, histories, applicability) -> tuple[list[int], list[tuple]]:
    """Read and compute (writing nothing) the clocks of the tickets ``chunk``: the pks of
    those that exist and their clock rows, ready for ``store_rows``."""
    ticket_pks, owners, items = read_chunk(chunk, histories, applicability)
    return ticket_pks, rows_of(owners, items, now)


def read_chunk(chunk, histories, applicability, tickets=None) -> tuple[list[int], list, list]:
    """What computing the clocks of the tickets ``chunk`` needs from the database: the pks
    of those that exist, and per ticket with targets and events, its applied targets by
    definition id (one entry per agreement end: see ``rows_of``) and its (definitions,
    events) for the engine. ``tickets`` may give their TICKET_READ values (for tickets not
    yet written)."""
    if tickets is None:
        tickets = select_in(Ticket, TICKET_READ, "id", chunk)
    tickets = sorted(tickets)
    by_ticket = events_of([t[0] for t in tickets], histories)
    applied = applied_for(tickets, by_ticket, applicability)
    ends = applicability.ends
    owners, items = [], []
    shaped: dict[int, list] = {}  # per applied list: [(by definition id, definitions, end)]
    for pk, *_ in tickets:
        targets = applied[pk]
        if targets and by_ticket.get(pk):
            parts = shaped.get(id(targets))
            if parts is None:
                parts = shaped[id(targets)] = _parts(targets, ends)
            for by_id, definitions, end in parts:
                owners.append((pk, by_id, end))
                items.append((definitions, by_ticket[pk]))
    return [t[0] for t in tickets], owners, items


def _parts(targets, ends) -> list[tuple]:
    """The applied targets split by the instant their agreement ended (None: it has not)."""
    by_end: dict = {}
    for a in targets:
        by_end.setdefault(ends.get(a.agreement_id), []).append(a)
    return [({a.definition.id: a for a in group}, [a.definition for a in group], end)
            for end, group in by_end.items()]


def rows_of(owners, items, now, lean: bool = False) -> list[tuple]:
    """The clock rows of ``read_chunk``'s tickets: the engine's work, no database.

    The clocks of an agreement that ended before ``now`` are computed as of its end, and
    those still open then are closed at that instant as ``ended``. ``lean``: without the
    timelines, the attribution as a dict (``compute_rows``): rows to aggregate, not store."""
    cutoffs: dict = {}  # the instant computed to (None: now) -> indices
    for index, (_, _, end) in enumerate(owners):
        cutoffs.setdefault(end if end is not None and end <= now else None, []).append(index)
    rows = []
    for ended, indices in cutoffs.items():
        batch = items if len(indices) == len(items) else [items[i] for i in indices]
        for index, clocks in zip(indices, compute_rows(batch, ended or now, lean=lean),
                                 strict=True):
            pk, by_id, _ = owners[index]
            rows.extend(clock_row(pk, by_id[c[0]], c, now, ended) for c in clocks)
    return rows


_NOT_STORED = (None, None)
_STATE, _STOPPED, _WARNINGS, _NEXT, _COMPUTED = (CLOCK_COLUMNS.index(name) for name in (
    "state", "stopped_at", "warnings", "next_event_at", "computed_at"))


def _next_look(row, stored_next):
    """When the escalation worker should next look at this clock.

    The engine knows only the warning instants; policy steps ("30 minutes before due", at
    risk) are planned by the worker, which stores its plan in ``next_event_at``. So an open
    clock keeps an earlier plan of the worker's, and a new open clock that has already crossed
    warnings (a retroactive start: P3 raised to P1 at 80 % used) is due for a look at once.
    """
    engine_next = row[_NEXT]
    if row[_STOPPED] is not None or row[_STATE] == ClockState.CANCELLED:
        return engine_next
    if stored_next is None:
        if row[_WARNINGS] != "{}" or row[_STATE] == ClockState.BREACHED:
            return row[_COMPUTED]  # new and already past a threshold: look now
        return engine_next
    if engine_next is None:  # paused, or nothing left to warn about: keep only an overdue look
        return stored_next if stored_next <= row[_COMPUTED] else None
    return min(stored_next, engine_next)


def store_rows(ticket_pks, rows, *, new: bool = False) -> None:
    """Upsert ``rows`` (CLOCK_COLUMNS tuples) as the complete clocks of ``ticket_pks``;
    ``new`` tickets were created in this transaction and have no clocks yet."""
    existing = {} if new else {(t, g, c): (pk, nxt) for pk, t, g, c, nxt in select_in(
        Clock, ("id", "ticket", "target", "cycle", "next_event_at"), "ticket", ticket_pks)}
    updates, inserts = [], []
    for row in rows:
        pk, stored_next = existing.pop((row[0], row[1], row[7]), _NOT_STORED)
        look = _next_look(row, stored_next)
        if look is not row[_NEXT]:
            row = (*row[:_NEXT], look, *row[_NEXT + 1:])
        if pk is None:
            inserts.append(row)
        else:
            updates.append((pk, *row))
    if existing:
        Clock.objects.filter(pk__in=[pk for pk, _ in existing.values()]).delete()
    update_by_pk(Clock, CLOCK_COLUMNS, updates, encoded=True)  # clock_row's JSONText
    if not insert_ignoring_conflicts(Clock, CLOCK_COLUMNS, inserts, encoded=True):
        raise RuntimeError("clocks were stored by another writer meanwhile: recompute again")


def _with_end(transitions: str, ended) -> str:
    """The transitions JSON text with the closing note of an ended clock."""
    note = (f'{{"at":"{ended.isoformat()}","action":"ended","event_id":null,'
            '"reason":"its agreement has no signed version in force any more"}')
    return f"{transitions[:-1]},{note}]" if transitions != "[]" else f"[{note}]"


def clock_row(ticket_pk: int, applied: Applied, clock: tuple, now, ended=None) -> tuple:
    """An engine clock (a ``compute_rows`` tuple) as a CLOCK_COLUMNS tuple. ``ended``: the
    instant the clock's agreement ended (the clock was computed as of then); a clock still
    open then is closed there as ``ended``."""
    (_, cycle, state, started, stopped, elapsed, paused, target, due, breached, percent,
     warnings, next_at, transitions, segments, attribution) = clock
    if ended is not None and stopped is None and state != ClockState.CANCELLED:
        state, stopped, next_at = ClockState.ENDED, ended, None
        transitions = _with_end(transitions, ended)
    return (ticket_pk, applied.target_id, applied.agreement_id, applied.version_id,
            applied.kind, applied.metric, applied.holder, cycle, state, started, stopped,
            elapsed, paused, target, due, breached, percent, JSONText(warnings), next_at,
            JSONText(transitions), JSONText(segments),
            JSONText(attribution) if isinstance(attribution, str) else attribution,
            applied.calendar_id, applied.calendar_version, now)
