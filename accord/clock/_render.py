"""Measured clocks written out: as engine ``Clock`` objects, or as rows to store.

``clocks`` and ``rows`` take what ``_measure.measure`` measured (every instant and
duration in µs) and say it: ``Clock`` objects with ``Transition`` and ``Segment`` values, or
tuples of ``ROW_FIELDS`` whose timelines are JSON text (instants in ISO 8601, holders as
"team Desk", unassigned time as "unassigned"), the form a store of clocks keeps.
``_columns`` writes the same rows for groups of alike clocks, with the writers below.
"""

from __future__ import annotations

from datetime import datetime
from json.encoder import encode_basestring_ascii

import numpy as np

from ._spec import US, from_us, to_us
from ._trace import ENDED, NOW
from .clock_types import Action, Clock, ClockState, Segment, Transition, fmt_seconds

_RUNNING = ClockState.RUNNING
_OPEN = (ClockState.RUNNING, ClockState.PAUSED)
quote = encode_basestring_ascii  # a JSON string, as json.dumps writes it


def final_state(state, over: bool) -> str:
    """A template's state as the numbers settle it (``over``: more than the target used)."""
    if state == ENDED or (state in _OPEN and over):
        return ClockState.BREACHED if over else ClockState.MET
    return state


def note_json(at: str, action: str, event: str, reason: str) -> str:
    """One transition (``event`` and ``reason`` already JSON: quoted text or null)."""
    return f'{{"at":"{at}","action":"{action}","event_id":{event},"reason":{reason}}}'


def segment_json(start: str, end: str, mode, holder, us: int) -> str:
    holder = "null" if holder is None else quote(str(holder))
    return (f'{{"start":"{start}","end":"{end}","state":"{mode}","holder":{holder},'
            f'"seconds":{us / 1e6!r}}}')


def attribution_json(shares: dict) -> str:
    """Running µs per holder, as seconds per holder name ("unassigned" for nobody)."""
    return "{" + ",".join(f'{quote("unassigned" if h is None else str(h))}:{us / 1e6!r}'
                          for h, us in shares.items()) + "}"


def attribution_dict(shares: dict) -> dict:
    """``attribution_json`` as a dict (the same keys and seconds)."""
    return {"unassigned" if h is None else str(h): us / 1e6 for h, us in shares.items()}


def when(ref, steps, now):
    """The instant of a step (or ``NOW``)."""
    return now if ref == NOW else steps[ref][0].timestamp


def maybe_instant(us):
    return None if us is None else from_us(us)


class _Said:
    """The fixed texts of one target, said once per batch."""

    def __init__(self, spec):
        target = fmt_seconds(spec.seconds)
        self.warned = {p: f"{p:g}% of {target} used" for p in spec.warnings}
        self.breached = f"{target} target exceeded"
        self.percent = {p: f"{p:g}" for p in spec.warnings}  # keys of the warnings JSON
        self.warned_json = {p: quote(text) for p, text in self.warned.items()}
        self.breached_json = quote(self.breached)


def said_for(cache: dict, spec) -> _Said:
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
        steps, said = ticket.steps, said_for(texts, spec)

        transitions = []
        for item in tpl.transitions:
            if item.__class__ is int:  # a segment closed here: what it crossed
                for percent, us in w.marks.get(item, ()):
                    transitions.append(Transition(from_us(us), Action.WARNED, None,
                                                  said.warned[percent]))
                if item in w.breaches:
                    transitions.append(Transition(from_us(w.breaches[item]), Action.BREACHED,
                                                  None, said.breached))
                continue
            at, action, event, reason = item
            transitions.append(Transition(when(at, steps, now), action,
                                          None if event is None else steps[event][0].event_id,
                                          ticket.reason(reason)))
        segments, shares = [], {}
        for k, _, _, e in w.segments:
            start, end, mode, holder_ref = tpl.ops[k]
            holder = ticket.holders[holder_ref]
            segments.append(Segment(when(start, steps, now), when(end, steps, now), mode,
                                    holder, e / 1e6))
            if mode is _RUNNING:
                shares[holder] = shares.get(holder, 0) + e
        out.append(Clock(
            target_id=spec.id, ticket_id=steps[0][0].ticket_id, cycle=tpl.number,
            state=final_state(tpl.state, w.used > spec._target_us),
            started_at=when(tpl.started, steps, now),
            stopped_at=None if tpl.stopped is None else when(tpl.stopped, steps, now),
            elapsed=w.used / 1e6, paused=w.paused / 1e6, target=spec.seconds,
            due_at=maybe_instant(w.due), breached_at=maybe_instant(w.breached),
            percent=w.used / spec._target_us * 100,
            warnings={p: from_us(us) for p, us in w.warnings.items()},
            next_event_at=maybe_instant(w.next), transitions=transitions, segments=segments,
            attribution={holder: us / 1e6 for holder, us in shares.items()}))
    return out


ROW_FIELDS = ("target_id", "cycle", "state", "started_at", "stopped_at", "elapsed", "paused",
              "target", "due_at", "breached_at", "percent", "warnings", "next_event_at",
              "transitions", "segments", "attribution")


def rows(works, now: datetime, lean: bool = False) -> list[tuple]:
    """Each measured work as a tuple of ``ROW_FIELDS``: instants as datetimes, the warnings,
    transitions, segments and attribution as JSON text (what ``Clock`` holds, in JSON:
    instants in ISO 8601, holders as "team Desk", unassigned time as "unassigned").

    ``lean``: without the timelines (warnings "{}", transitions and segments "[]") and with
    the attribution as a dict (``attribution_dict``): what an aggregation reads."""
    if lean:
        return _lean_rows(works, now)
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
        steps, said = ticket.steps, said_for(texts, spec)
        parts = []
        for item in tpl.transitions:
            if item.__class__ is int:
                for percent, _ in w.marks.get(item, ()):
                    parts.append(note_json(next(iso), "warned", "null", said.warned_json[percent]))
                if item in w.breaches:
                    parts.append(note_json(next(iso), "breached", "null", said.breached_json))
                continue
            _, action, event, reason = item
            parts.append(note_json(next(iso), action, *ticket.quote(event, reason)))
        segments, shares = [], {}
        for k, _, _, e in w.segments:
            _, _, mode, holder_ref = tpl.ops[k]
            holder = ticket.holders[holder_ref]
            segments.append(segment_json(next(iso), next(iso), mode, holder, e))
            if mode is _RUNNING:
                shares[holder] = shares.get(holder, 0) + e
        warnings = "{" + ",".join(f'"{said.percent[p]}":"{next(iso)}"'
                                  for p in w.warnings) + "}"
        out.append((
            spec.id, tpl.number, str(final_state(tpl.state, w.used > spec._target_us)),
            when(tpl.started, steps, now),
            None if tpl.stopped is None else when(tpl.stopped, steps, now),
            w.used / 1e6, w.paused / 1e6, spec.seconds, maybe_instant(w.due),
            maybe_instant(w.breached), w.used / spec._target_us * 100, warnings,
            maybe_instant(w.next), "[" + ",".join(parts) + "]", "[" + ",".join(segments) + "]",
            attribution_json(shares)))
    return out


def _lean_rows(works, now: datetime) -> list[tuple]:
    out = []
    for w in works:
        spec, tpl, ticket = w.spec, w.tpl, w.ticket
        steps, shares = ticket.steps, {}
        for k, _, _, e in w.segments:
            _, _, mode, holder_ref = tpl.ops[k]
            if mode is _RUNNING:
                holder = ticket.holders[holder_ref]
                shares[holder] = shares.get(holder, 0) + e
        out.append((
            spec.id, tpl.number, str(final_state(tpl.state, w.used > spec._target_us)),
            when(tpl.started, steps, now),
            None if tpl.stopped is None else when(tpl.stopped, steps, now),
            w.used / 1e6, w.paused / 1e6, spec.seconds, maybe_instant(w.due),
            maybe_instant(w.breached), w.used / spec._target_us * 100, "{}",
            maybe_instant(w.next), "[]", "[]", attribution_dict(shares)))
    return out


def _iso_many(us: list[int]) -> list[str]:
    """``datetime.isoformat()`` of each instant (µs, UTC), in one NumPy call."""
    if not us:
        return []
    arr = np.array(us, dtype=np.int64)
    text = np.datetime_as_string(arr.view("M8[us]"), unit="us").tolist()
    whole = (arr % US == 0).tolist()
    return [t[:19] + "+00:00" if w else t + "+00:00" for t, w in zip(text, whole, strict=True)]
