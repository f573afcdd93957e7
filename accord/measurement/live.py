"""Stored clocks as of the request: open clocks brought up to ``now`` on read.

A stored row is as of its ``computed_at``; a running clock has used more business time
since. ``as_of(clocks, now)`` brings the given ``Clock`` objects up to ``now`` in memory —
never written back — with the engine's vectorized calendar path (one ``elapsed_many`` call
per calendar for a whole page): elapsed and percent grow, a clock past its target becomes
breached at the instant it ran out, warnings crossed meanwhile get their instants, the last
timeline segment ends at ``now`` and a paused clock's due instant is "if it resumed now".
Business time between two instants with no event in between is additive, so this equals
what a recompute at ``now`` would store (events stamped ahead are rechecked by the worker).
Each clock gets ``as_of`` (the instant its figures hold at).
"""

from datetime import datetime, timedelta

import numpy as np

from accord.agreements.calendars import explain_calendar
from accord.agreements.models import Target
from accord.agreements.queries import coverage_ends
from accord.catalogue.calendars import business_calendar
from accord.catalogue.models import Calendar, Customer, Service

from .choices import ClockState
from .clock_models import Clock

_US = timedelta(microseconds=1)


def accruing(clock: Clock) -> bool:
    """Open and counting time: running, or breached with its last segment running."""
    if not clock.is_open or clock.state == ClockState.PAUSED:
        return False
    if clock.state == ClockState.RUNNING:
        return True
    segments = clock.segments or []
    return bool(segments) and segments[-1].get("state") == ClockState.RUNNING


def calendar_of(clock: Clock, cache: dict):
    """The engine calendar the clock was measured in (as measurement resolved it)."""
    if clock.calendar_id is not None:
        key = ("calendar", clock.calendar_id)
        if key not in cache:
            cache[key] = business_calendar(clock.calendar)
        return cache[key]
    ticket = clock.ticket
    key = ("resolved", clock.target_id, ticket.customer_id, ticket.service_id)
    if key not in cache:
        resolved = explain_calendar(clock.target, ticket.customer, ticket.service).calendar
        cache[key] = business_calendar(resolved)
    return cache[key]


def as_of(clocks, now: datetime, cache: dict | None = None) -> list[Clock]:
    """``clocks`` (an iterable of stored ``Clock`` objects) brought up to ``now``, in place;
    returns them as a list. A clock whose agreement has ended meanwhile is brought up to
    that instant and shown ended, as the worker will store it."""
    clocks = list(clocks)
    cache = {} if cache is None else cache
    groups: dict[int, tuple] = {}  # per calendar: (calendar, its open clocks)
    for clock in clocks:
        clock.as_of = max(now, clock.computed_at)
        if clock.is_open and now > clock.computed_at:
            calendar = calendar_of(clock, cache)
            groups.setdefault(id(calendar), (calendar, []))[1].append(clock)
    ends = coverage_ends(now) if groups else {}
    for calendar, group in groups.values():
        until = [max(ends.get(c.agreement_id, now), c.computed_at) for c in group]
        extra = calendar.elapsed_many([c.computed_at for c in group], until)
        for clock, seconds, end in zip(group, np.asarray(extra).tolist(), until, strict=True):
            if accruing(clock):
                _run_on(clock, calendar, float(seconds), end)
            else:
                _wait_on(clock, calendar, float(seconds), end)
            if clock.agreement_id in ends:
                clock.state, clock.next_event_at = ClockState.ENDED, None
                clock.stopped_at = ends[clock.agreement_id]
    return clocks


def _run_on(clock: Clock, calendar, seconds: float, now: datetime) -> None:
    """A running clock ``seconds`` of business time later."""
    before, since = clock.elapsed_seconds, clock.computed_at
    clock.elapsed_seconds = before + seconds
    target = clock.target_seconds
    clock.percent = clock.elapsed_seconds / target * 100 if target else 0.0
    warnings = dict(clock.warnings or {})
    for threshold in clock.target.warning_thresholds or ():
        label = f"{threshold:g}"
        if label not in warnings and clock.percent >= threshold:
            warnings[label] = calendar.due(since, threshold / 100 * target - before).isoformat()
    clock.warnings = warnings
    if clock.state == ClockState.RUNNING and clock.elapsed_seconds > target:
        # The first instant past the target: at a closing time, the next opening.
        clock.state = ClockState.BREACHED
        clock.breached_at = calendar.due(since, target - before + 1e-6) - _US
        clock.next_event_at = None
    _extend_timeline(clock, now, seconds)


def _wait_on(clock: Clock, calendar, seconds: float, now: datetime) -> None:
    """A paused (or breached and paused) clock ``seconds`` of business time later: paused
    that much longer, and, not yet breached, due ``target - elapsed`` after ``now``."""
    clock.paused_seconds += seconds
    left = clock.target_seconds - clock.elapsed_seconds
    if clock.state == ClockState.PAUSED and left > 0:
        clock.due_at = calendar.due(now, left)
    _extend_timeline(clock, now, seconds, counted=False)


def _extend_timeline(clock: Clock, now: datetime, seconds: float, counted=True) -> None:
    """The last segment ends at ``now``, ``seconds`` longer; counted time is attributed to
    its holder."""
    segments = [dict(s) for s in clock.segments or ()]
    if segments:
        last = segments[-1]
        last["end"] = now.isoformat()
        last["seconds"] = last.get("seconds", 0) + seconds
        if seconds and counted:
            holder = last.get("holder") or "unassigned"
            attribution = dict(clock.attribution or {})
            attribution[holder] = attribution.get(holder, 0) + seconds
            clock.attribution = attribution
    clock.segments = segments


def reaching(clocks, now: datetime, threshold: float) -> int:
    """How many running clocks reach ``threshold`` percent of their target at ``now``:
    ``clocks`` (a queryset of running clocks) read as values, not objects, and brought up to
    ``now`` one engine calendar at a time (the dashboard's at-risk count over thousands)."""
    rows = list(clocks.values_list("calendar_id", "target_id", "ticket__customer_id",
                                   "ticket__service_id", "computed_at", "elapsed_seconds",
                                   "target_seconds"))
    calendars = _calendars_of(rows)
    groups: dict[int, tuple] = {}
    reached = 0
    for calendar_id, target_id, customer_id, service_id, computed, used, target in rows:
        if not target:
            continue
        if now <= computed:
            reached += used / target * 100 >= threshold
            continue
        calendar = calendars[calendar_id or (target_id, customer_id, service_id)]
        groups.setdefault(id(calendar), (calendar, []))[1].append((computed, used, target))
    for calendar, group in groups.values():
        extra = np.asarray(calendar.elapsed_many([g[0] for g in group], [now] * len(group)))
        used = np.array([g[1] for g in group]) + extra
        reached += int(np.count_nonzero(used / np.array([g[2] for g in group]) * 100
                                        >= threshold))
    return reached


def _calendars_of(rows) -> dict:
    """The engine calendar per stored calendar id, and per (target, customer, service) for
    clocks that stored none (resolved as measurement resolves them), each read once."""
    stored = Calendar.objects.in_bulk({r[0] for r in rows if r[0] is not None})
    found = {pk: business_calendar(c) for pk, c in stored.items()}
    keys = {(r[1], r[2], r[3]) for r in rows if r[0] is None}
    if keys:
        targets = Target.objects.select_related(
            "calendar", "service__calendar", "version__agreement__calendar",
            "version__agreement__customer__calendar").in_bulk({k[0] for k in keys})
        customers = Customer.objects.select_related("calendar").in_bulk({k[1] for k in keys})
        services = Service.objects.select_related("calendar").in_bulk({k[2] for k in keys})
        for key in keys:
            resolved = explain_calendar(targets[key[0]], customers.get(key[1]),
                                        services.get(key[2])).calendar
            found[key] = business_calendar(resolved)
    return found


class AsOf:
    """A queryset of clocks whose slices come out brought up to ``now`` (for paginated
    lists: only the page is projected, with the vectorized path)."""

    def __init__(self, queryset, now: datetime):
        self.queryset, self.now = queryset, now

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index):
        items = self.queryset[index]
        if isinstance(index, slice):
            return as_of(items, self.now)
        return as_of([items], self.now)[0]

    def __iter__(self):
        return iter(as_of(self.queryset, self.now))
