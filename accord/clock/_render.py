"""Measured clocks written out: as engine ``Clock`` objects, or as rows to store.

``clocks`` and ``rows`` take what ``_measure.measure`` measured (every instant and
duration in µs) and say it: ``Clock`` objects with ``Transition`` and ``Segment`` values, or
tuples of ``ROW_FIELDS`` whose timelines are JSON text (instants in ISO 8601, holders as
"team Desk", unassigned time as "unassigned"), the form a store of clocks keeps.
``_columns`` writes the same rows for groups of alike clocks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from json.encoder import encode_basestring_ascii

import numpy as np

from ._spec import EPOCH, to_us
from ._trace import ENDED, NOW
from .clock_types import Action, Clock, ClockState, Segment, Transition, fmt_seconds

_US = 1_000_000
_ONE_US = timedelta(microseconds=1)
_RUNNING = ClockState.RUNNING
_OPEN = (ClockState.RUNNING, ClockState.PAUSED)
_quote = encode_basestring_ascii  # a JSON string, as json.dumps writes it


def _instant(us: int) -> datetime:
    return EPOCH + us * _ONE_US


def _state(w):
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
