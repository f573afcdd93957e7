"""The commonest clock, a column at a time: one running stretch from a start event to a stop
event (or on to now), never paused, reset or handed over.

Most clocks are this one (a response or a resolution without a pause). ``rows`` measures
every such clock of a batch that shares a template and a target with NumPy, one array per
question, and writes each row's JSON with one formatted string: the numbers and texts
``_measure.rows`` gives for the same clocks, at a fraction of the cost per clock.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from . import _vector
from ._measure import _US, ROW_FIELDS, _iso_many, _quote, _Said
from ._spec import EPOCH, MAX_US
from .clock_types import ClockState

__all__ = ["ROW_FIELDS", "rows"]

_400_DAYS = 400 * 86400 * _US
_ONE_US = np.timedelta64(1, "us").item()
_RUNNING = ClockState.RUNNING


def rows(groups, now: datetime, now_us: int) -> dict[int, tuple]:
    """Rows (``ROW_FIELDS``) of simple clocks. ``groups`` are (spec, template, members) with
    members [(job index, ``Ticket``)]; the result maps each job index to its row."""
    out: dict[int, tuple] = {}
    for spec, tpl, members in groups:
        rows_ = _group(spec, tpl, tpl.form, members, now, now_us)
        for (index, _), row in zip(members, rows_, strict=True):
            out[index] = row
    return out


def _group(spec, tpl, form, members, now, now_us):
    start, end, holder_ref, is_open = form
    cal, target, thresholds = spec.calendar, spec._target_us, spec._thresholds
    tickets = [ticket for _, ticket in members]
    a = np.array([t.us[start] for t in tickets], dtype=np.int64)
    b = np.full_like(a, now_us) if is_open else np.array([t.us[end] for t in tickets],
                                                         dtype=np.int64)
    moved = b > a
    e = np.where(moved, _vector.elapsed_us_many(cal, a, b), 0)

    def due(where, x, need):
        """due(x, need) where ``where``; MAX_US elsewhere or beyond 2199."""
        out = np.full_like(a, MAX_US)
        if where.any():
            out[where] = _vector.due_us_many(cal, x[where], need[where] if np.ndim(need)
                                             else np.full(int(where.sum()), need))
        return out

    crossed = [moved & (e >= level) for _, level in thresholds]
    warned = [due(c, a, level) for c, (_, level) in zip(crossed, thresholds, strict=True)]
    reached = e >= target
    reached_at = due(reached, a, target)
    breached = e > target
    breached_at = np.full_like(a, MAX_US)
    if breached.any():
        breached_at[breached] = _first_open(cal, np.maximum(reached_at, a)[breached],
                                            b[breached])
    due_at = np.where(reached, reached_at, due(~reached, b, target - e))
    next_at = np.full_like(a, MAX_US)
    if is_open:
        count = np.sum(crossed, axis=0) if thresholds else np.zeros_like(a)
        levels = np.array([level for _, level in thresholds] + [0], dtype=np.int64)
        live = e <= target
        warn_next = live & (count < len(thresholds))
        next_at = np.where(warn_next, due(warn_next, b, levels[count] - e), MAX_US)
        after_due = live & ~warn_next & (due_at < MAX_US)
        if after_due.any():
            next_at[after_due] = _first_open(cal, due_at[after_due],
                                             due_at[after_due] + _400_DAYS)
    return _render(spec, tpl, form, tickets, now, a, b, moved, e, crossed, warned, breached,
                   breached_at, due_at, next_at)


def _first_open(cal, at: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """``calendar._first_open_us`` for each instant (open ones answered by one vector call)."""
    is_open = _vector.elapsed_us_many(cal, at, at + 1) > 0
    out = at.copy()
    for k in np.flatnonzero(~is_open).tolist():
        out[k] = cal._first_open_us(int(at[k]), int(limit[k]))
    return out


def _render(spec, tpl, form, tickets, now, a, b, moved, e, crossed, warned, breached,
            breached_at, due_at, next_at):
    start, end, holder_ref, is_open = form
    said = _Said(spec)
    target = spec._target_us
    n = len(tickets)
    e_list, moved_list = e.tolist(), moved.tolist()
    iso = iter(_iso_many(np.concatenate([a, b, *(w[c] for w, c in zip(warned, crossed,
                                                                        strict=True)),
                                         breached_at[breached]]).tolist()))
    a_iso = [next(iso) for _ in range(n)]
    b_iso = [next(iso) for _ in range(n)]
    # the warnings crossed, as transition fragments and as "percent": instant pairs
    fragments, pairs = [""] * n, [[] for _ in range(n)]
    for (percent, _), c in zip(spec._thresholds, crossed, strict=True):
        reason = _quote(said.warned[percent])
        key = said.percent[percent]
        for k in np.flatnonzero(c).tolist():
            at = next(iso)
            fragments[k] += (f',{{"at":"{at}","action":"warned","event_id":null,'
                             f'"reason":{reason}}}')
            pairs[k].append(f'"{key}":"{at}"')
    exceeded = _quote(said.breached)
    for k in np.flatnonzero(breached).tolist():
        fragments[k] += (f',{{"at":"{next(iso)}","action":"breached","event_id":null,'
                         f'"reason":{exceeded}}}')
    first, last = tpl.transitions[0][3], None if is_open else tpl.transitions[2][3]
    number, state_open = tpl.number, str(_RUNNING)
    seconds = spec.seconds
    due_list, next_list = due_at.tolist(), next_at.tolist()
    breached_list, breached_at_list = breached.tolist(), breached_at.tolist()
    out = []
    for k, ticket in enumerate(tickets):
        steps = ticket.steps
        event, reason = ticket.quote(start, first)
        transitions = (f'[{{"at":"{a_iso[k]}","action":"started","event_id":{event},'
                       f'"reason":{reason}}}{fragments[k]}')
        if is_open:
            transitions += "]"
        else:
            event, reason = ticket.quote(end, last)
            transitions += (f',{{"at":"{b_iso[k]}","action":"stopped","event_id":{event},'
                            f'"reason":{reason}}}]')
        used = e_list[k]
        if moved_list[k]:
            holder = ticket.holders[holder_ref]
            text = "null" if holder is None else _quote(str(holder))
            segments = (f'[{{"start":"{a_iso[k]}","end":"{b_iso[k]}","state":"running",'
                        f'"holder":{text},"seconds":{used / 1e6!r}}}]')
            attribution = (f'{{{_quote("unassigned" if holder is None else str(holder))}:'
                           f'{used / 1e6!r}}}')
        else:
            segments, attribution = "[]", "{}"
        over = used > target
        due, next_ = due_list[k], next_list[k]
        out.append((
            spec.id, number,
            "breached" if over else (state_open if is_open else "met"),
            steps[start][0].timestamp, None if is_open else steps[end][0].timestamp,
            used / 1e6, 0.0, seconds,
            None if due >= MAX_US else EPOCH + due * _ONE_US,
            EPOCH + breached_at_list[k] * _ONE_US if breached_list[k] else None,
            used / target * 100, "{" + ",".join(pairs[k]) + "}",
            None if next_ >= MAX_US else EPOCH + next_ * _ONE_US,
            transitions, segments, attribution))
    return out
