"""SLA clocks: one target applied to one ticket for one cycle, derived from its events.

``compute_clocks(target, events, now)`` replays a ticket's events (see ``events``) and
returns every clock of that target, one per cycle. The rules, in the order they are
checked at each event:

1. While a cycle runs: ``cancel`` cancels it; else ``stop`` stops it (met when its
   business seconds are within the target, breached when over); else ``reset``
   restarts it from zero (for update_interval a reset ends the interval and opens the
   next cycle); else ``pause`` pauses it and ``resume`` resumes it (see ``targets``),
   and an assignment change splits the time between holders (the supplier while one
   is set, else the team).
2. While no cycle runs: when ``start`` holds and ``stop`` does not, a cycle starts —
   or, with ``reopen="resume"``, a stopped cycle continues.
3. ``applies`` (the scope) is checked on every event. Cycles are tracked whether or
   not the target applies; a clock appears for a cycle while the target applies, and
   it starts at the cycle's original start instant with earlier pauses honoured
   (retroactive start). When the target stops applying, that clock is cancelled; if it
   applies again, a new clock (next cycle number) appears, again from the start.
   Scope changes while no cycle runs (e.g. after resolution) create or cancel nothing.

Business time comes only from the target's calendar; met or breached compares
business seconds with the target, never instants with ``due_at``. ``now`` bounds the
computation: later events are ignored and open clocks are measured up to ``now``.

How: the rules run in ``_trace`` (which cycles start, pause, stop -- no calendar
arithmetic), the numbers in ``_measure``. ``compute_ticket_clocks`` is the scalar path
(one ticket, scalar calendar calls); ``compute_many`` is the vectorized path for bulk
work: tickets whose histories look alike to the targets share one trace, and every
calendar question of the whole batch is asked in a few NumPy calls. Both give the same
clocks, to the microsecond.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from . import _columns, _measure, _render, _trace
from ._spec import EPOCH, MAX_US, MIN_US, to_us
from .clock_types import Clock
from .events import Event, aware_utc, holder_of, replay
from .targets import TargetDefinition

_MEMO_LIMIT = 10_000  # shapes remembered per call
_US = timedelta(microseconds=1)


def compute_ticket_clocks(targets: Iterable[TargetDefinition], events: Iterable[Event | Mapping],
                          now: datetime) -> list[Clock]:
    """Every clock of every target for one ticket's events, as of ``now``.

    Events are replayed once for all targets; clocks are listed target by target.
    """
    return compute_many([(targets, events)], now, calc=_measure.ScalarCalc())[0]


def compute_clocks(target: TargetDefinition, events: Iterable[Event | Mapping],
                   now: datetime) -> list[Clock]:
    """Every clock (one per cycle) of ``target`` for one ticket's events, as of ``now``."""
    return compute_ticket_clocks((target,), events, now)


def compute_many(items, now: datetime, *, calc=None) -> list[list[Clock]]:
    """``compute_ticket_clocks(targets, events, now)`` for each (targets, events) item, as
    one batch."""
    now = aware_utc(now, "now")
    jobs, counts = _jobs(items, now)
    clocks = iter(_render.clocks(_measure.measure(jobs, to_us(now, "now"),
                                                   calc or _measure.VectorCalc()), now))
    return [[next(clocks) for _ in range(count)] for count in counts]


def compute_rows(items, now: datetime, *, min_group: int = 16, lean: bool = False
                 ) -> list[list[tuple]]:
    """Like ``compute_many``, but each clock as a tuple of ``ROW_FIELDS`` (instants as
    datetimes; warnings, transitions, segments and attribution as JSON text), the form a
    store of clocks keeps: cheaper than building ``Clock`` objects. Groups of at least
    ``min_group`` alike clocks (one template, one target) are measured a column at a time.
    ``lean``: the numbers without the timelines, the attribution as a dict (for an
    aggregation that stores nothing: the what-if replay)."""
    now = aware_utc(now, "now")
    now_us = to_us(now, "now")
    jobs, counts = _jobs(items, now)
    groups: dict[tuple, tuple] = {}
    for index, (spec, template, ticket) in enumerate(jobs):
        if not template.resets:
            key = (id(spec), id(template))
            group = groups.get(key)
            if group is None:
                group = groups[key] = (spec, template, [])
            group[2].append((index, ticket))
    large = [group for group in groups.values() if len(group[2]) >= min_group]
    rows = _columns.rows(large, now, now_us, lean)
    rest = [index for index in range(len(jobs)) if index not in rows]
    works = _measure.measure([jobs[i] for i in rest], now_us, _measure.VectorCalc())
    rows.update(zip(rest, _render.rows(works, now, lean), strict=True))
    out, index = [], 0
    for count in counts:
        out.append([rows[i] for i in range(index, index + count)])
        index += count
    return out


ROW_FIELDS = _render.ROW_FIELDS


def _jobs(items, now):
    """(spec, template, ``Ticket``) of every clock of ``items``, and the count per item."""
    jobs, counts = [], []
    memo: dict = {}
    fields: dict = {}
    for targets, events in items:
        targets = targets if isinstance(targets, (list, tuple)) else list(targets)
        steps = _steps(events, now)
        if not steps or not targets:
            counts.append(0)
            continue
        holders = [holder_of(after) for _, _, after in steps]
        tkey = tuple(map(id, targets))
        known = fields.get(tkey)
        if known is None:  # holding the targets keeps their ids theirs for this call
            known = fields[tkey] = (targets, _trace.read_fields(targets))
        key = (tkey, _trace.shape(steps, known[1], holders))
        try:
            templates = memo.get(key)
        except TypeError:  # a list or an object in a field some condition reads
            key = (tkey, _trace.shape(steps, known[1], holders, hashable=True))
            templates = memo.get(key)
        if templates is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            templates = memo[key] = _trace.trace(targets, steps)
        ticket = _measure.Ticket(steps, [(e.timestamp - EPOCH) // _US for e, _, _ in steps],
                                 holders)
        if ticket.us[0] < MIN_US or ticket.us[-1] >= MAX_US:
            bad = steps[0 if ticket.us[0] < MIN_US else -1][0]
            raise ValueError(f"timestamp: event {bad.event_id!r} at {bad.timestamp.isoformat()} "
                             "is outside the supported years 1900-2199")
        count = 0
        for spec, clocks in zip(targets, templates, strict=True):
            for template in clocks:
                jobs.append((spec, template, ticket))
            count += len(clocks)
        counts.append(count)
    return jobs, counts


def _steps(events, now: datetime) -> list[tuple]:
    """The replayed (event, before, after) steps up to ``now``; ValueError if the events
    belong to several tickets."""
    steps = list(replay(events))
    if not steps:
        return steps
    ticket_id = steps[0][0].ticket_id
    cut = len(steps)
    for i, (event, _, _) in enumerate(steps):
        if event.ticket_id != ticket_id:
            raise ValueError(f"ticket_id: events of several tickets ({ticket_id!r} and "
                             f"{event.ticket_id!r})")
        if event.timestamp > now and i < cut:
            cut = i
    return steps[:cut]
