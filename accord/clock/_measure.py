"""The numbers of many clocks at once: business time, warnings, breaches, due instants.

``measure(jobs, now, calc)`` turns ``_trace.Template``s into ``Clock``s. Each question
to a calendar is collected first and asked in one batch per calendar and kind of
question (``calc`` answers a batch: one loop of scalar calls, or NumPy), in four rounds:
the business time of every segment; then every due instant (warnings, the instant a
target is used up, the live due and the next warning); then where business time accrues
again after a breach or a due instant that falls at closing time; then the clocks are
assembled. All numbers are integer µs until they become seconds, exactly as the scalar
calendar gives them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from json.encoder import encode_basestring_ascii

import numpy as np

from . import _vector
from ._spec import EPOCH, MAX_US, to_us
from ._trace import ENDED, NOW, ZERO
from .clock_types import (
    Action,
    Clock,
    ClockState,
    Segment,
    Transition,
    describe_change,
    fmt_seconds,
)

_US = 1_000_000
_400_DAYS = 400 * 86400 * _US
_ONE_US = timedelta(microseconds=1)
_RUNNING = ClockState.RUNNING
_OPEN = (ClockState.RUNNING, ClockState.PAUSED)
_quote = encode_basestring_ascii  # a JSON string, as json.dumps writes it


def _instant(us: int) -> datetime:
    return EPOCH + us * _ONE_US


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
                "null" if event is None else _quote(self.steps[event][0].event_id),
                _quote(self.reason(reason)))
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
        a = np.array(at, dtype=np.int64)
        is_open = (_vector.elapsed_us_many(cal, a, a + 1) > 0).tolist()
        return [x if ok else cal._first_open_us(x, y)
                for x, y, ok in zip(at, limit, is_open, strict=True)]


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
                 "next_open", "at")

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
        if w.next is not None:
            w.next = dues[w.next]
        elif w.next_open and w.due is not None:
            # the target is used up, or will be at ``due``: the breach starts where business
            # time next accrues (after now: a resumed clock may have reached it long ago)
            start = max(w.due, w.at)
            w.next = -1 - accrue.ask(cal, start, start + _400_DAYS)  # answered below
        w.warnings = {p: dues[h] for p, h in w.warnings.items()}
        w.marks = {k: [(p, dues[h]) for p, h in mark] for k, mark in w.marks.items()}
    accrued = accrue.answer(calc.first_open)
    for w in works:
        if w.breaches:
            w.breaches = {k: accrued[h] for k, h in w.breaches}
            w.breached = None if w.breached is None else w.breaches[w.breached]
        if w.next is not None and w.next < 0:
            w.next = accrued[-1 - w.next]
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


def _state(w: _Work):
    state, used = w.tpl.state, w.used
    if state == ENDED or (state in _OPEN and used > w.spec._target_us):
        return ClockState.BREACHED if used > w.spec._target_us else ClockState.MET
    return state


class _Said:
    """The fixed texts of one target, said once per batch."""

    def __init__(self, spec):
        target = fmt_seconds(spec.seconds)
        self.warned = {p: f"{p:g}% of {target} used" for p in spec.warnings}
        self.breached = f"{target} target exceeded"
        self.percent = {p: f"{p:g}" for p in spec.warnings}


def _said(cache: dict, spec) -> _Said:
    said = cache.get(id(spec))
    if said is None:
        said = cache[id(spec)] = _Said(spec)
    return said


def clocks(works, now: datetime) -> list[Clock]:
    """The engine's ``Clock`` of each measured work."""
    out = []
    texts: dict = {}
    for w in works:
        spec, tpl, ticket = w.spec, w.tpl, w.ticket
        steps, said = ticket.steps, _said(texts, spec)

        def when(ref, steps=steps):
            return now if ref == NOW else steps[ref][0].timestamp

        transitions = []
        for item in tpl.transitions:
            if item.__class__ is int:  # a segment closed here: what it crossed
                for percent, us in w.marks.get(item, ()):
                    transitions.append(Transition(_instant(us), Action.WARNED, None,
                                                  said.warned[percent]))
                if item in w.breaches:
                    transitions.append(Transition(_instant(w.breaches[item]), Action.BREACHED,
                                                  None, said.breached))
                continue
            at, action, event, reason = item
            transitions.append(Transition(when(at), action,
                                          None if event is None else steps[event][0].event_id,
                                          ticket.reason(reason)))
        segments, shares = [], {}
        for k, _, _, e in w.segments:
            start, end, mode, holder_ref = tpl.ops[k]
            holder = ticket.holders[holder_ref]
            segments.append(Segment(when(start), when(end), mode, holder, e / 1e6))
            if mode is _RUNNING:
                shares[holder] = shares.get(holder, 0) + e
        out.append(Clock(
            target_id=spec.id, ticket_id=steps[0][0].ticket_id, cycle=tpl.number,
            state=_state(w), started_at=when(tpl.started),
            stopped_at=None if tpl.stopped is None else when(tpl.stopped),
            elapsed=w.used / 1e6, paused=w.paused / 1e6, target=spec.seconds,
            due_at=_maybe_instant(w.due), breached_at=_maybe_instant(w.breached),
            percent=w.used / spec._target_us * 100,
            warnings={p: _instant(us) for p, us in w.warnings.items()},
            next_event_at=_maybe_instant(w.next), transitions=transitions, segments=segments,
            attribution={holder: us / 1e6 for holder, us in shares.items()}))
    return out


ROW_FIELDS = ("target_id", "cycle", "state", "started_at", "stopped_at", "elapsed", "paused",
              "target", "due_at", "breached_at", "percent", "warnings", "next_event_at",
              "transitions", "segments", "attribution")


def rows(works, now: datetime) -> list[tuple]:
    """Each measured work as a tuple of ``ROW_FIELDS``: instants as datetimes, the warnings,
    transitions, segments and attribution as JSON text (what ``Clock`` holds, in JSON:
    instants in ISO 8601, holders as "team Desk", unassigned time as "unassigned")."""
    now_us = to_us(now, "now")
    instants: list[int] = []  # every instant the JSON texts show, made ISO in one go
    for w in works:
        us = w.ticket.us
        for item in w.tpl.transitions:
            if item.__class__ is not int:
                instants.append(now_us if item[0] == NOW else us[item[0]])
            else:
                instants.extend(x for _, x in w.marks.get(item, ()))
                if item in w.breaches:
                    instants.append(w.breaches[item])
        for _, a, b, _ in w.segments:
            instants.append(a)
            instants.append(b)
        instants.extend(w.warnings.values())
    iso = iter(_iso_many(instants))
    out = []
    texts: dict = {}
    for w in works:
        spec, tpl, ticket = w.spec, w.tpl, w.ticket
        steps, said = ticket.steps, _said(texts, spec)
        parts = []
        for item in tpl.transitions:
            if item.__class__ is int:
                for percent, _ in w.marks.get(item, ()):
                    parts.append(f'{{"at":"{next(iso)}","action":"warned","event_id":null,'
                                 f'"reason":{_quote(said.warned[percent])}}}')
                if item in w.breaches:
                    parts.append(f'{{"at":"{next(iso)}","action":"breached","event_id":null,'
                                 f'"reason":{_quote(said.breached)}}}')
                continue
            _, action, event, reason = item
            event, reason = ticket.quote(event, reason)
            parts.append(f'{{"at":"{next(iso)}","action":"{action}","event_id":{event},'
                         f'"reason":{reason}}}')
        transitions = "[" + ",".join(parts) + "]"
        parts, shares = [], {}
        for k, _, _, e in w.segments:
            mode, holder = tpl.ops[k][2], ticket.holders[tpl.ops[k][3]]
            text = "null" if holder is None else _quote(str(holder))
            parts.append(f'{{"start":"{next(iso)}","end":"{next(iso)}","state":"{mode}",'
                         f'"holder":{text},"seconds":{e / 1e6!r}}}')
            if mode is _RUNNING:
                shares[holder] = shares.get(holder, 0) + e
        segments = "[" + ",".join(parts) + "]"
        warnings = "{" + ",".join(f'"{said.percent[p]}":"{next(iso)}"'
                                  for p in w.warnings) + "}"
        attribution = "{" + ",".join(
            f'{_quote("unassigned" if h is None else str(h))}:{us / 1e6!r}'
            for h, us in shares.items()) + "}"
        out.append((
            spec.id, tpl.number, str(_state(w)), _when(tpl.started, steps, now),
            None if tpl.stopped is None else _when(tpl.stopped, steps, now),
            w.used / 1e6, w.paused / 1e6, spec.seconds, _maybe_instant(w.due),
            _maybe_instant(w.breached), w.used / spec._target_us * 100, warnings,
            _maybe_instant(w.next), transitions, segments, attribution))
    return out


def _when(ref, steps, now):
    return now if ref == NOW else steps[ref][0].timestamp


def _maybe_instant(us):
    return None if us is None else _instant(us)


def _iso_many(us: list[int]) -> list[str]:
    """``datetime.isoformat()`` of each instant (µs, UTC), in one NumPy call."""
    if not us:
        return []
    arr = np.array(us, dtype=np.int64)
    text = np.datetime_as_string(arr.view("M8[us]"), unit="us").tolist()
    whole = (arr % _US == 0).tolist()
    return [t[:19] + "+00:00" if w else t + "+00:00" for t, w in zip(text, whole, strict=True)]
