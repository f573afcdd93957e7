"""The numbers of many clocks at once: business time, warnings, breaches, due instants.

``measure(jobs, now_us, calc)`` measures ``_trace.Template``s clock by clock, and asks
every calendar question of the whole batch together, in one batch per calendar and kind
of question (``calc`` answers a batch: one loop of scalar calls, or NumPy), in three
rounds: the business time of every segment; then every due instant (warnings, the instant
a target is used up, the live due and the next warning); then where business time accrues
again after a breach or a due instant that falls at closing time. ``_render`` then writes
the clocks out. All numbers are integer µs until they become seconds, exactly as the
scalar calendar gives them. (``_columns`` does the same for large groups of alike clocks.)
"""

from __future__ import annotations

import numpy as np

from . import _vector
from ._render import quote
from ._spec import MAX_US, US
from ._trace import NOW, ZERO
from .clock_types import ClockState, describe_change

BREACH_HORIZON = 400 * 86400 * US  # how far to look for where a used-up target breaches
_RUNNING = ClockState.RUNNING


class Ticket:
    """What the numbers of one ticket's clocks refer to: its steps (event, before, after),
    their instants in µs, the holder of each step's state, and reasons said so far."""

    __slots__ = ("steps", "us", "holders", "said", "quoted")

    def __init__(self, steps, us, holders):
        self.steps = steps
        self.us = us
        self.holders = holders
        self.said: dict = {}
        self.quoted: dict = {}  # (event, reason) -> their JSON texts, for ``rows``

    def quote(self, event, reason) -> tuple[str, str]:
        """The JSON texts of a transition's event id and reason."""
        key = (event, reason)
        hit = self.quoted.get(key)
        if hit is None:
            hit = self.quoted[key] = (
                "null" if event is None else quote(self.steps[event][0].event_id),
                quote(self.reason(reason)))
        return hit

    def reason(self, parts) -> str:
        if parts.__class__ is str:
            return parts
        out = []
        for part in parts:
            if part.__class__ is int:
                text = self.said.get(part)
                if text is None:
                    text = self.said[part] = describe_change(*self.steps[part])
                out.append(text)
            elif part.__class__ is tuple:  # ("id", step)
                out.append(self.steps[part[1]][0].event_id)
            else:
                out.append(part)
        return "".join(out)


class ScalarCalc:
    """Answers each question with the scalar calendar."""

    def elapsed(self, cal, a, b):
        return [cal._elapsed_us(x, y) for x, y in zip(a, b, strict=True)]

    def due(self, cal, a, need):
        return [cal._due_us(x, n) for x, n in zip(a, need, strict=True)]

    def first_open(self, cal, at, limit):
        return [cal._first_open_us(x, y) for x, y in zip(at, limit, strict=True)]


class VectorCalc(ScalarCalc):
    """Answers batches of ``threshold`` questions or more with NumPy (the same numbers)."""

    def __init__(self, threshold: int = 16):
        self.threshold = threshold

    def elapsed(self, cal, a, b):
        if len(a) < self.threshold:
            return super().elapsed(cal, a, b)
        return _vector.elapsed_us_many(cal, np.array(a, dtype=np.int64),
                                       np.array(b, dtype=np.int64)).tolist()

    def due(self, cal, a, need):
        if len(a) < self.threshold:
            return super().due(cal, a, need)
        out = _vector.due_us_many(cal, np.array(a, dtype=np.int64),
                                  np.array(need, dtype=np.int64)).tolist()
        return [None if us >= MAX_US else us for us in out]

    def first_open(self, cal, at, limit):
        if len(at) < self.threshold:
            return super().first_open(cal, at, limit)
        return _vector.first_open_us_many(cal, np.array(at, dtype=np.int64),
                                          np.array(limit, dtype=np.int64)).tolist()


class _Questions:
    """Questions of one kind, batched per calendar; answers land in ``answers[handle]``."""

    def __init__(self):
        self.by_calendar: dict[int, tuple] = {}
        self.count = 0
        self._cal = self._group = None

    def ask(self, cal, x, y) -> int:
        if cal is not self._cal:  # most questions in a row are for the same calendar
            group = self.by_calendar.get(id(cal))
            if group is None:
                group = self.by_calendar[id(cal)] = (cal, [], [], [])
            self._cal, self._group = cal, group
        group = self._group
        group[1].append(x)
        group[2].append(y)
        n = self.count
        group[3].append(n)
        self.count = n + 1
        return n

    def answer(self, method) -> list:
        answers = [None] * self.count
        for cal, xs, ys, handles in self.by_calendar.values():
            values = method(cal, xs, ys)
            if len(self.by_calendar) == 1:  # then handles are 0, 1, 2, ...
                return values if isinstance(values, list) else list(values)
            for handle, value in zip(handles, values, strict=True):
                answers[handle] = value
        return answers


class _Work:
    """One clock on its way from template to ``Clock``."""

    __slots__ = ("spec", "tpl", "ticket", "spans", "marks", "segments", "used", "paused",
                 "warnings", "crossed", "reached", "breaches", "breached", "due", "next",
                 "next_open", "next_from", "at")

    def __init__(self, spec, tpl, ticket):
        self.spec, self.tpl, self.ticket = spec, tpl, ticket


def measure(jobs, now_us: int, calc) -> list[_Work]:
    """Measure ``jobs`` of (spec, template, ``Ticket``): every instant and duration of
    each clock, as µs, ready for ``clocks`` or ``rows``."""
    works = [_Work(*job) for job in jobs]
    elapsed = _Questions()
    for w in works:
        us, cal = w.ticket.us, w.spec.calendar
        spans = []
        for op in w.tpl.ops:
            if op is ZERO:
                spans.append(None)
                continue
            a = now_us if op[0] == NOW else us[op[0]]
            b = now_us if op[1] == NOW else us[op[1]]
            spans.append((a, b, elapsed.ask(cal, a, b)) if b > a else ())
        w.spans = spans
    seconds = elapsed.answer(calc.elapsed)

    due = _Questions()
    for w in works:
        _walk(w, seconds, due, now_us)
    dues = due.answer(calc.due)

    accrue = _Questions()
    for w in works:
        cal = w.spec.calendar
        w.breaches = [(k, accrue.ask(cal, max(dues[reached], a), b))
                      for k, reached, a, b in w.breaches]
        if w.used >= w.spec._target_us:
            w.due = dues[w.reached]
        elif w.due is not None:
            w.due = dues[w.due]
        w.next_from = None
        if w.next is not None:
            w.next = dues[w.next]
        elif w.next_open and w.due is not None:
            # the target is used up, or will be at ``due``: the breach starts where business
            # time next accrues (after now: a resumed clock may have reached it long ago)
            start = max(w.due, w.at)
            w.next_from = accrue.ask(cal, start, start + BREACH_HORIZON)
        w.warnings = {p: dues[h] for p, h in w.warnings.items()}
        w.marks = {k: [(p, dues[h]) for p, h in mark] for k, mark in w.marks.items()}
    accrued = accrue.answer(calc.first_open)
    for w in works:
        if w.breaches:
            w.breaches = {k: accrued[h] for k, h in w.breaches}
            w.breached = None if w.breached is None else w.breaches[w.breached]
        if w.next_from is not None:
            w.next = accrued[w.next_from]
    return works


def _walk(w: _Work, seconds, due: _Questions, now_us: int) -> None:
    """The cycle's accounting over its ops (see ``clocks._Cycle.close``), asking ``due``."""
    spec, tpl = w.spec, w.tpl
    cal, target, thresholds = spec.calendar, spec._target_us, spec._thresholds
    used = paused = crossed = 0
    reached = breached = None
    segments, warnings, marks, breaches = [], {}, {}, []
    for k, span in enumerate(w.spans):
        if span is None:  # a reset: the transitions said so far stay
            used = paused = crossed = 0
            reached = breached = None
            segments, warnings = [], {}
            continue
        if not span:
            continue
        a, b, handle = span
        e = seconds[handle]
        mode = tpl.ops[k][2]
        if mode is _RUNNING:
            before, after = used, used + e
            mark = []
            while crossed < len(thresholds) and thresholds[crossed][1] <= after:
                percent, level = thresholds[crossed]
                h = due.ask(cal, a, level - before)
                warnings[percent] = h
                mark.append((percent, h))
                crossed += 1
            if reached is None and after >= target:
                reached = due.ask(cal, a, target - before)
            if breached is None and after > target:
                breached = k  # where it accrues is asked once ``reached`` is known
                breaches.append((k, reached, a, b))
            if mark:
                marks[k] = mark
            used = after
        else:
            paused += e
        segments.append((k, a, b, e))
    w.used, w.paused, w.crossed, w.reached = used, paused, crossed, reached
    w.segments, w.warnings, w.marks = segments, warnings, marks
    w.breaches, w.breached = breaches, breached
    w.due = w.next = None
    w.next_open = False
    us = w.ticket.us
    at = w.at = now_us if tpl.at == NOW else us[tpl.at]
    if used < target:
        stopped = tpl.stopped
        end = at if stopped is None else (now_us if stopped == NOW else us[stopped])
        w.due = due.ask(cal, end, target - used)
    if tpl.open and tpl.mode is _RUNNING and used <= target:
        if crossed < len(thresholds):
            w.next = due.ask(cal, at, thresholds[crossed][1] - used)
        else:
            w.next_open = True
