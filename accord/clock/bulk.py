"""Clocks of many tickets at once: the vectorized path for simple histories.

``compute_many(items, now)`` returns, for each (targets, events) item, exactly what
``compute_ticket_clocks(targets, events, now)`` returns. A target whose history on a ticket
is *simple* -- one cycle that starts and applies at its first event, never pauses, resets,
cancels or changes holder while it runs, and then stops (or runs on to ``now``) -- gets its
elapsed time, warnings, due and breach instants from the calendar's ``elapsed_many`` and
``due_many``, one call per calendar for the whole batch. Tickets with any other history go
through the scalar engine. ``tests/measurement/test_clocks_bulk.py`` holds the two equal.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from ._spec import from_us, to_us
from .clock_types import Action, ClockState, Segment, Transition, describe_change, fmt_seconds
from .clocks import Clock, _accrues_from, _due, _paused, _run
from .events import aware_utc, holder_of, replay

_TICK_US = 1
_YEAR_400 = timedelta(days=400)


def compute_many(items, now: datetime) -> list[list[Clock]]:
    """``compute_ticket_clocks(targets, events, now)`` for each (targets, events) item."""
    now = aware_utc(now, "now")
    out: list[list | None] = [None] * len(items)
    simple: list[tuple] = []  # (item index, [(spec, plan or clocks)], steps)
    for n, (targets, events) in enumerate(items):
        targets = list(targets)
        steps = list(replay(events))
        plans = _plans(targets, steps, now)
        if plans is None:
            out[n] = _run(targets, steps, now)
            continue
        hard = [spec for spec, plan in plans if plan is False]
        if hard:  # the scalar engine for these targets only, in their order
            scalar = iter(_by_target(hard, _run(hard, steps, now)))
            plans = [(spec, next(scalar) if plan is False else plan) for spec, plan in plans]
        simple.append((n, plans, steps))
    _measure([p for _, plans, _ in simple for p in plans if type(p[1]) is _Plan], now)
    reasons: dict[int, tuple] = {}  # id(spec) -> (warning reasons, breach reason)
    for n, plans, steps in simple:
        clocks = []
        said: dict[int, str] = {}  # step index -> describe_change, shared by the targets
        for spec, plan in plans:
            if type(plan) is _Plan:
                why = reasons.get(id(spec))
                if why is None:
                    why = reasons[id(spec)] = _reasons(spec)
                clocks.append(_clock(spec, plan, steps, now, said, why))
            elif plan is not None:
                clocks.extend(plan)
        out[n] = clocks
    return out


class _Plan(list):
    """One simple cycle: [start index, stop index or None, start µs, end µs, then the
    figures ``_measure`` adds]."""

    __slots__ = ()


def _by_target(targets, clocks) -> list[list[Clock]]:
    """The scalar engine's clocks grouped per target, in the order of ``targets``."""
    groups = {spec.id: [] for spec in targets}
    for clock in clocks:
        groups[clock.target_id].append(clock)
    return [groups[spec.id] for spec in targets]


def _plans(targets, steps, now):
    """[(spec, plan)] per target, a plan being a ``_Plan``, None (no clock) or False (not
    simple: use the scalar engine); None when the whole ticket needs the scalar engine."""
    if not steps:
        return []
    ticket_id = steps[0][0].ticket_id
    for event, _, _ in steps:
        if event.timestamp > now or event.ticket_id != ticket_id:
            return None
    if len({spec.id for spec in targets}) != len(targets):
        return None
    plans = []
    for spec in targets:
        plan = _plan(spec, steps)
        if plan:
            stop = now if plan[1] is None else steps[plan[1]][0].timestamp
            plan.extend((to_us(steps[plan[0]][0].timestamp, "start"), to_us(stop, "end")))
        plans.append((spec, plan))
    return plans


def _plan(spec, steps):
    """The (start, stop) event indexes of ``spec``'s one simple cycle; None when it never
    starts or never applies; False when the history is not simple."""
    if not any(spec.applies.evaluate(b, a, e) for e, b, a in steps):
        return None  # a cycle may run, but no clock ever shows
    start = None
    holder = None
    for i, (event, before, after) in enumerate(steps):
        if start is None:
            if spec.start.evaluate(before, after, event) and not spec.stop.evaluate(
                    before, after, event):
                if (not spec.applies.evaluate(before, after, event)
                        or _paused(spec, None, before, after, event)):
                    return False
                start, holder = i, holder_of(after)
            continue
        if spec.cancel.evaluate(before, after, event):
            return False
        if spec.stop.evaluate(before, after, event):
            for later, b, a in steps[i + 1:]:
                if spec.start.evaluate(b, a, later) and not spec.stop.evaluate(b, a, later):
                    return False
            return _Plan((start, i))
        if (spec.reset.evaluate(before, after, event)
                or _paused(spec, ClockState.RUNNING, before, after, event)
                or holder_of(after) != holder
                or not spec.applies.evaluate(before, after, event)):
            return False
    return None if start is None else _Plan((start, None))


def _due_batch(cal, requests):
    """``due(start_us, seconds)`` for each request, as µs; scalar where the vector fails."""
    if not requests:
        return []
    starts = np.array([s for s, _ in requests], dtype=np.int64).view("M8[us]")
    seconds = np.array([x for _, x in requests], dtype=np.float64)
    try:
        return (cal.due_many(starts, seconds).view(np.int64) // 1000).tolist()
    except ValueError:
        result = []
        for s, x in requests:
            due = _due(cal, from_us(s), x)
            result.append(None if due is None else to_us(due, "due"))
        return result


def _measure(plans, now):
    """Fill in each plan's numbers, one vector call per calendar and kind of question."""
    by_calendar: dict[int, tuple] = {}
    for spec, plan in plans:
        by_calendar.setdefault(id(spec.calendar), (spec.calendar, []))[1].append((spec, plan))
    now_us = to_us(now, "now")
    for cal, group in by_calendar.values():
        _measure_calendar(cal, group, now_us)


def _measure_calendar(cal, group, now_us):
    starts = np.array([p[2] for _, p in group], dtype=np.int64)
    ends = np.array([p[3] for _, p in group], dtype=np.int64)
    seconds = cal.elapsed_many(starts.view("M8[us]"), ends.view("M8[us]"))
    used_all = np.rint(seconds * 1e6).astype(np.int64).tolist()
    seconds = seconds.tolist()
    requests, wants = [], []  # due() questions and where each answer goes
    for k, (spec, plan) in enumerate(group):
        start, end, is_open = plan[2], plan[3], plan[1] is None
        moved = end > start
        used = used_all[k] if moved else 0
        target = spec._target_us
        crossed = [(p, level) for p, level in spec._thresholds if moved and level <= used]
        plan.extend((moved, seconds[k] if moved else 0.0, used, crossed))
        for p, level in crossed:
            requests.append((start, level / 1e6))
            wants.append((plan, p))
        if moved and used >= target:
            requests.append((start, target / 1e6))
            wants.append((plan, "reached"))
        elif used < target:
            requests.append((end, (target - used) / 1e6))
            wants.append((plan, "due"))
        if is_open and used <= target and len(crossed) < len(spec._thresholds):
            requests.append((now_us, (spec._thresholds[len(crossed)][1] - used) / 1e6))
            wants.append((plan, "next"))
    answers: dict[int, dict] = {}
    for (plan, what), value in zip(wants, _due_batch(cal, requests), strict=True):
        answers.setdefault(id(plan), {})[what] = value
    accrue = []  # _accrues_from questions: (plan, what, at µs, limit)
    for spec, plan in group:
        got = answers.get(id(plan), {})
        plan.append(got)
        start, end, is_open, used = plan[2], plan[3], plan[1] is None, plan[6]
        target = spec._target_us
        if plan[4] and used > target:
            accrue.append((plan, "breached", max(got["reached"], start), from_us(end)))
        due = got["reached"] if used >= target else got.get("due")
        got["due_at"] = due
        if (is_open and used <= target and len(plan[7]) == len(spec._thresholds)
                and due is not None):
            accrue.append((plan, "next", due, from_us(due) + _YEAR_400))
    if accrue:
        at = np.array([a for _, _, a, _ in accrue], dtype=np.int64)
        opened = cal.elapsed_many(at.view("M8[us]"), (at + _TICK_US).view("M8[us]")) > 0
        for (plan, what, a, limit), is_open in zip(accrue, opened.tolist(), strict=True):
            plan[8][what] = a if is_open else to_us(_accrues_from(cal, from_us(a), limit), "at")


def _reasons(spec) -> tuple[dict, str]:
    """The texts of ``spec``'s warning and breach transitions (as ``_Cycle.close`` words them)."""
    target = fmt_seconds(spec.seconds)
    return ({p: f"{p:g}% of {target} used" for p in spec.warnings},
            f"{target} target exceeded")


def _said(said, steps, i) -> str:
    text = said.get(i)
    if text is None:
        text = said[i] = describe_change(*steps[i])
    return text


def _clock(spec, plan, steps, now, said, why) -> Clock:
    """The engine's ``Clock`` for one simple plan (see ``clocks._Machine._build``)."""
    i, j = plan[0], plan[1]
    moved, seconds, used, crossed, got = plan[4:9]
    event, _, after = steps[i]
    started = event.timestamp
    transitions = [Transition(started, Action.STARTED, event.event_id, _said(said, steps, i))]
    warnings = {}
    for p, _ in crossed:
        warnings[p] = at = from_us(got[p])
        transitions.append(Transition(at, Action.WARNED, None, why[0][p]))
    target = spec._target_us
    breached_at = None
    if moved and used > target:
        breached_at = from_us(got["breached"])
        transitions.append(Transition(breached_at, Action.BREACHED, None, why[1]))
    if j is None:
        stopped_at, end = None, now
        state = ClockState.BREACHED if used > target else ClockState.RUNNING
    else:
        stop = steps[j][0]
        stopped_at = end = stop.timestamp
        state = ClockState.BREACHED if used > target else ClockState.MET
        transitions.append(Transition(end, Action.STOPPED, stop.event_id,
                                      _said(said, steps, j)))
    holder = holder_of(after)
    segments = [Segment(started, end, ClockState.RUNNING, holder, seconds)] if moved else []
    next_at = got.get("next")
    due = got["due_at"]
    return Clock(
        target_id=spec.id, ticket_id=event.ticket_id, cycle=1, state=state,
        started_at=started, stopped_at=stopped_at, elapsed=used / 1e6, paused=0 / 1e6,
        target=spec.seconds, due_at=None if due is None else from_us(due),
        breached_at=breached_at, percent=used / target * 100, warnings=warnings,
        next_event_at=None if next_at is None else from_us(next_at),
        transitions=transitions, segments=segments,
        attribution={holder: round(seconds * 1e6) / 1e6} if moved else {})
