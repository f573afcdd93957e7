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
from ._measure import _US, _quote
from ._render import _iso_many, _Said
from ._spec import EPOCH, MAX_US
from ._trace import ENDED, NOW
from .clock_types import ClockState

_400_DAYS = 400 * 86400 * _US
_ONE_US = np.timedelta64(1, "us").item()
_RUNNING = ClockState.RUNNING
_OPEN = (ClockState.RUNNING, ClockState.PAUSED)


def rows(groups, now: datetime, now_us: int) -> dict[int, tuple]:
    """Rows (``ROW_FIELDS``) of grouped clocks. ``groups`` are (spec, template, members)
    with members [(job index, ``Ticket``)]; the result maps each job index to its row."""
    out: dict[int, tuple] = {}
    for spec, tpl, members in groups:
        group = _Group(spec, tpl, [ticket for _, ticket in members], now_us)
        for (index, _), row in zip(members, group.rows(now), strict=True):
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
                    at[mask] = _first_open(self.cal, np.maximum(reached, a)[mask], b[mask])
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
                self.next_at[later] = _first_open(self.cal, start, start + _400_DAYS)

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
        warned = [_quote(said.warned[p]) for p, _ in spec._thresholds]
        keys = [said.percent[p] for p, _ in spec._thresholds]
        exceeded = _quote(said.breached)
        # per segment: [(j, crossed?, ISO)] per ticket, and the breach (ISO or None) per ticket
        fragments, pairs = [], [[] for _ in range(n)]
        for crossed, breach in self.marks:
            texts = [""] * n
            for j, mask, at in crossed:
                iso = iter(_iso_many(at[mask].tolist()))
                for k in np.flatnonzero(mask).tolist():
                    instant = next(iso)
                    texts[k] += (f',{{"at":"{instant}","action":"warned","event_id":null,'
                                 f'"reason":{warned[j]}}}')
                    pairs[k].append(f'"{keys[j]}":"{instant}"')
            if breach is not None:
                mask, at = breach
                iso = iter(_iso_many(at[mask].tolist()))
                for k in np.flatnonzero(mask).tolist():
                    texts[k] += (f',{{"at":"{next(iso)}","action":"breached","event_id":null,'
                                 f'"reason":{exceeded}}}')
            fragments.append(texts)
        # what each ticket's transitions and segments are made of, prepared per template
        notes = []  # (ISO instants, action, event, reason) or the fragments of a segment
        for item in tpl.transitions:
            if item.__class__ is int:
                notes.append(fragments[item])
            else:
                at, action, event, reason = item
                notes.append((iso_at[at], ',{"at":"', f'","action":"{action}","event_id":',
                              event, reason))
        spans = []  # segments that ran on some ticket
        for (start, end, mode, holder_ref), (_, _, moved, e) in zip(tpl.ops, self.spans,
                                                                     strict=True):
            if moved.any():
                spans.append((moved.tolist(), e.tolist(), iso_at[start], iso_at[end],
                              f'","state":"{mode}","holder":', mode is _RUNNING, holder_ref))
        breached = _breached_at(self.marks, n)
        used_list, paused_list = self.used.tolist(), self.paused.tolist()
        due_list, next_list = self.due_at.tolist(), self.next_at.tolist()
        states = self._states()
        started = [_when(tpl.started, t.steps, now) for t in tickets]
        stopped = ([None] * n if tpl.stopped is None
                   else [_when(tpl.stopped, t.steps, now) for t in tickets])
        number, seconds = tpl.number, spec.seconds
        out = []
        for k, ticket in enumerate(tickets):
            parts = []
            for note in notes:
                if note.__class__ is list:
                    parts.append(note[k])
                    continue
                iso, head, middle, event, reason = note
                event, reason = ticket.quote(event, reason)
                parts.append(f'{head}{iso[k]}{middle}{event},"reason":{reason}}}')
            segments, shares = [], {}
            for moved, e, iso_start, iso_end, middle, running, holder_ref in spans:
                if moved[k]:
                    holder = ticket.holders[holder_ref]
                    text = "null" if holder is None else _quote(str(holder))
                    segments.append(f'{{"start":"{iso_start[k]}","end":"{iso_end[k]}{middle}'
                                    f'{text},"seconds":{e[k] / 1e6!r}}}')
                    if running:
                        shares[holder] = shares.get(holder, 0) + e[k]
            used = used_list[k]
            due, next_at, breach = due_list[k], next_list[k], breached[k]
            out.append((
                spec.id, number, states[k], started[k], stopped[k],
                used / 1e6, paused_list[k] / 1e6, seconds,
                None if due >= MAX_US else EPOCH + due * _ONE_US,
                None if breach is None else EPOCH + breach * _ONE_US,
                used / target * 100, "{" + ",".join(pairs[k]) + "}",
                None if next_at >= MAX_US else EPOCH + next_at * _ONE_US,
                "[" + "".join(parts)[1:] + "]", "[" + ",".join(segments) + "]",
                "{" + ",".join(f'{_quote("unassigned" if h is None else str(h))}:{us / 1e6!r}'
                               for h, us in shares.items()) + "}"))
        return out

    def _states(self) -> list[str]:
        state, over = self.tpl.state, (self.used > self.spec._target_us).tolist()
        if state == ENDED:
            return ["breached" if o else "met" for o in over]
        if state in _OPEN:
            return ["breached" if o else str(state) for o in over]
        return [str(state)] * len(over)


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


def _when(ref, steps, now):
    return now if ref == NOW else steps[ref][0].timestamp


def _first_open(cal, at: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """``calendar._first_open_us`` for each instant (open ones answered by one vector call)."""
    is_open = _vector.elapsed_us_many(cal, at, at + 1) > 0
    out = at.copy()
    for k in np.flatnonzero(~is_open).tolist():
        out[k] = cal._first_open_us(int(at[k]), int(limit[k]))
    return out
