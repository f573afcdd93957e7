"""Many alike clocks a column at a time: the same template, the same target, many tickets.

``_measure`` takes one clock at a time and batches the calendar questions of all of them;
that suits a batch of diverse tickets. When many tickets share a template (a shape of
history: opened, perhaps paused and handed over, then resolved) ``rows`` measures the
whole group with NumPy instead, one array per segment and question, and writes each row's
JSON with a few formatted strings. Templates with a reset are left to ``_measure``.

The numbers follow ``clocks._Cycle.close`` segment by segment: business time accrues
while running; a warning is crossed in the first running segment that reaches its level,
at ``due(segment start, level - time used before it)``; likewise the instant the target is
used up; a breach starts where business time accrues again after that.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from . import _vector
from ._measure import BREACH_HORIZON
from ._render import (
    _iso_many,
    _Said,
    attribution_dict,
    attribution_json,
    final_state,
    note_json,
    segment_json,
    when,
)
from ._spec import MAX_US, from_us
from ._trace import NOW
from .clock_types import ClockState

_RUNNING = ClockState.RUNNING


def rows(groups, now: datetime, now_us: int, lean: bool = False) -> dict[int, tuple]:
    """Rows (``ROW_FIELDS``) of grouped clocks. ``groups`` are (spec, template, members)
    with members [(job index, ``Ticket``)]; the result maps each job index to its row.
    ``lean``: see ``_render.rows``."""
    out: dict[int, tuple] = {}
    for spec, tpl, members in groups:
        group = _Group(spec, tpl, [ticket for _, ticket in members], now_us)
        made = group.lean_rows(now) if lean else group.rows(now)
        for (index, _), row in zip(members, made, strict=True):
            out[index] = row
    return out


class _Group:
    """The numbers of one template's clocks on many tickets, as arrays over the tickets."""

    def __init__(self, spec, tpl, tickets, now_us: int):
        self.spec, self.tpl, self.tickets = spec, tpl, tickets
        self.cal = spec.calendar
        n = len(tickets)
        self.now_us = now_us
        self._at: dict[int, np.ndarray] = {}
        target, thresholds = spec._target_us, spec._thresholds
        levels = np.array([level for _, level in thresholds], dtype=np.int64)
        used = np.zeros(n, dtype=np.int64)
        paused = np.zeros(n, dtype=np.int64)
        count = np.zeros(n, dtype=np.int64)  # warnings crossed
        reached = np.full(n, MAX_US, dtype=np.int64)
        breached = np.zeros(n, dtype=bool)
        self.spans, self.marks = [], []
        for start, end, mode, _ in tpl.ops:
            a, b = self.at(start), self.at(end)
            moved = b > a
            e = np.where(moved, _vector.elapsed_us_many(self.cal, a, b), 0)
            self.spans.append((a, b, moved, e))
            crossed, breach = [], None
            if mode is _RUNNING:
                before, after = used, used + e
                for j, level in enumerate(levels.tolist()):
                    mask = moved & (count <= j) & (after >= level)
                    if mask.any():
                        crossed.append((j, mask, self.due(mask, a, level - before)))
                count = np.where(moved, np.maximum(count, np.searchsorted(
                    levels, after, side="right")), count)
                mask = moved & (reached == MAX_US) & (after >= target)
                if mask.any():
                    reached = np.where(mask, self.due(mask, a, target - before), reached)
                mask = moved & ~breached & (after > target)
                if mask.any():
                    at = np.full(n, MAX_US, dtype=np.int64)
                    at[mask] = _vector.first_open_us_many(self.cal, np.maximum(reached, a)[mask],
                                                          b[mask])
                    breach, breached = (mask, at), breached | mask
                used = after
            else:
                paused = paused + e
            self.marks.append((crossed, breach))
        self.used, self.paused = used, paused
        end = self.at(tpl.stopped) if tpl.stopped is not None else self.at(tpl.at)
        self.due_at = np.where(used >= target, reached, self.due(used < target, end,
                                                                 target - used))
        self.next_at = np.full(n, MAX_US, dtype=np.int64)
        if tpl.open and tpl.mode is _RUNNING:
            live = used <= target
            warn = live & (count < len(levels))
            if warn.any():
                next_level = np.append(levels, 0)[count]
                self.next_at = np.where(warn, self.due(warn, self.at(tpl.at),
                                                       next_level - used), MAX_US)
            later = live & ~warn & (self.due_at < MAX_US)
            if later.any():  # the breach starts where business time next accrues
                start = np.maximum(self.due_at, self.at(tpl.at))[later]
                self.next_at[later] = _vector.first_open_us_many(self.cal, start,
                                                                 start + BREACH_HORIZON)

    def at(self, ref) -> np.ndarray:
        """The instants (µs) of a step of every ticket, or now."""
        hit = self._at.get(ref)
        if hit is None:
            if ref == NOW:
                hit = np.full(len(self.tickets), self.now_us, dtype=np.int64)
            else:
                hit = np.array([t.us[ref] for t in self.tickets], dtype=np.int64)
            self._at[ref] = hit
        return hit

    def due(self, where, start, need) -> np.ndarray:
        """``due(start, need)`` where ``where`` holds; MAX_US elsewhere and beyond 2199."""
        out = np.full(len(self.tickets), MAX_US, dtype=np.int64)
        if where.any():
            need = need[where] if np.ndim(need) else np.full(int(where.sum()), need)
            out[where] = _vector.due_us_many(self.cal, start[where], need)
        return out

    def rows(self, now: datetime) -> list[tuple]:
        spec, tpl, tickets = self.spec, self.tpl, self.tickets
        said, target = _Said(spec), spec._target_us
        n = len(tickets)
        iso_at = {}  # step -> ISO instants over the tickets
        refs = {ref for ref, *_ in (t for t in tpl.transitions if t.__class__ is tuple)}
        refs.update(r for start, end, _, _ in tpl.ops for r in (start, end))
        for ref in refs:
            iso_at[ref] = _iso_many(self.at(ref).tolist())
        # per segment and ticket: the JSON of the warnings and breach it crossed (each
        # fragment led by a comma, like every part of the transitions below)
        fragments, pairs = [], [[] for _ in range(n)]
        for crossed, breach in self.marks:
            texts = [""] * n
            for j, mask, at in crossed:
                percent = spec._thresholds[j][0]
                iso = iter(_iso_many(at[mask].tolist()))
                for k in np.flatnonzero(mask).tolist():
                    instant = next(iso)
                    texts[k] += "," + note_json(instant, "warned", "null",
                                                said.warned_json[percent])
                    pairs[k].append(f'"{said.percent[percent]}":"{instant}"')
            if breach is not None:
                mask, at = breach
                iso = iter(_iso_many(at[mask].tolist()))
                for k in np.flatnonzero(mask).tolist():
                    texts[k] += "," + note_json(next(iso), "breached", "null",
                                                said.breached_json)
            fragments.append(texts)
        spans = [(moved.tolist(), e.tolist(), iso_at[start], iso_at[end], mode, holder_ref)
                 for (start, end, mode, holder_ref), (_, _, moved, e) in zip(
                     tpl.ops, self.spans, strict=True) if moved.any()]
        breached = _breached_at(self.marks, n)
        states = {over: str(final_state(tpl.state, over)) for over in (False, True)}
        over = (self.used > target).tolist()
        used_list, paused_list = self.used.tolist(), self.paused.tolist()
        due_list, next_list = self.due_at.tolist(), self.next_at.tolist()
        out = []
        for k, ticket in enumerate(tickets):
            steps, parts = ticket.steps, []
            for item in tpl.transitions:
                if item.__class__ is int:
                    parts.append(fragments[item][k])
                else:
                    at, action, event, reason = item
                    event, reason = ticket.quote(event, reason)
                    parts.append("," + note_json(iso_at[at][k], action, event, reason))
            segments, shares = [], {}
            for moved, e, iso_start, iso_end, mode, holder_ref in spans:
                if moved[k]:
                    holder = ticket.holders[holder_ref]
                    segments.append(segment_json(iso_start[k], iso_end[k], mode, holder, e[k]))
                    if mode is _RUNNING:
                        shares[holder] = shares.get(holder, 0) + e[k]
            used, due, next_at, breach = used_list[k], due_list[k], next_list[k], breached[k]
            out.append((
                spec.id, tpl.number, states[over[k]],
                when(tpl.started, steps, now),
                None if tpl.stopped is None else when(tpl.stopped, steps, now),
                used / 1e6, paused_list[k] / 1e6, spec.seconds,
                None if due >= MAX_US else from_us(due),
                None if breach is None else from_us(breach),
                used / target * 100, "{" + ",".join(pairs[k]) + "}",
                None if next_at >= MAX_US else from_us(next_at),
                "[" + "".join(parts)[1:] + "]", "[" + ",".join(segments) + "]",
                attribution_json(shares)))
        return out


    def lean_rows(self, now: datetime) -> list[tuple]:
        """``rows`` without the timelines (warnings "{}", transitions and segments "[]")
        and with the attribution as a dict: what an aggregation reads, for a fraction of
        the cost."""
        spec, tpl, tickets = self.spec, self.tpl, self.tickets
        target = spec._target_us
        running = [(moved.tolist(), e.tolist(), holder_ref)
                   for (_, _, mode, holder_ref), (_, _, moved, e) in zip(
                       tpl.ops, self.spans, strict=True) if mode is _RUNNING and moved.any()]
        breached = _breached_at(self.marks, len(tickets))
        states = {over: str(final_state(tpl.state, over)) for over in (False, True)}
        over = (self.used > target).tolist()
        used_list, paused_list = self.used.tolist(), self.paused.tolist()
        due_list, next_list = self.due_at.tolist(), self.next_at.tolist()
        started, stopped = tpl.started, tpl.stopped
        out = []
        for k, ticket in enumerate(tickets):
            steps, shares = ticket.steps, {}
            for moved, e, holder_ref in running:
                if moved[k]:
                    holder = ticket.holders[holder_ref]
                    shares[holder] = shares.get(holder, 0) + e[k]
            used, due, next_at, breach = used_list[k], due_list[k], next_list[k], breached[k]
            out.append((
                spec.id, tpl.number, states[over[k]], when(started, steps, now),
                None if stopped is None else when(stopped, steps, now),
                used / 1e6, paused_list[k] / 1e6, spec.seconds,
                None if due >= MAX_US else from_us(due),
                None if breach is None else from_us(breach),
                used / target * 100, "{}", None if next_at >= MAX_US else from_us(next_at),
                "[]", "[]", attribution_dict(shares)))
        return out


def _breached_at(marks, n: int) -> list[int | None]:
    """The breach instant of each ticket (None: not breached); there is no reset here, so
    at most one segment breaches."""
    out: list[int | None] = [None] * n
    for _, breach in marks:
        if breach is not None:
            mask, at = breach
            for k, instant in zip(np.flatnonzero(mask).tolist(), at[mask].tolist(),
                                  strict=True):
                out[k] = instant
    return out
