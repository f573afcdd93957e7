"""Small value types and formatting shared by the clock engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from .events import PAYLOAD_PREFIX, TICKET_FIELDS, Event, Holder, aware_utc


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    CANCELLED = "cancelled"


class Action(StrEnum):
    STARTED = "started"
    PAUSED = "paused"
    RESUMED = "resumed"
    STOPPED = "stopped"
    RESET = "reset"
    CANCELLED = "cancelled"
    BREACHED = "breached"
    WARNED = "warned"


class Transition(NamedTuple):
    """Something that happened to a clock; event_id is None for warnings and breaches."""

    at: datetime
    action: Action
    event_id: str | None
    reason: str


class Segment(NamedTuple):
    """A stretch of a clock in one mode under one holder, with its business seconds."""

    start: datetime
    end: datetime
    state: ClockState  # RUNNING or PAUSED
    holder: Holder | None
    seconds: float


@dataclass(slots=True)
class Clock:
    """One target on one ticket for one cycle, as of ``now`` (or as it ended).

    ``elapsed`` and ``paused`` are business seconds (since the last reset).
    ``due_at`` is when the target runs out if the clock runs on without further
    pauses from its last moment: for a running clock, the live due instant; for a
    paused clock, the due instant if it resumed now; for an ended clock, as it stood
    at the end; once the target is used up, the instant it was used up.
    ``due_at`` is None if the calendar never opens long enough. An open clock (running
    or paused) whose business time exceeds the target has state ``breached`` and no
    ``stopped_at``. ``breached_at`` is the instant from which business time exceeded
    the target: the due instant, or the next opening when that falls at closing time.
    ``next_event_at`` is, for a running clock not yet breached, the next warning or
    breach instant at or after ``now`` (the instant to recompute at); else None.
    ``segments`` end at ``now`` for an open clock; ``attribution`` sums the running
    segments per holder (None = unassigned).
    """

    target_id: str
    ticket_id: str
    cycle: int
    state: ClockState
    started_at: datetime
    stopped_at: datetime | None
    elapsed: float
    paused: float
    target: float
    due_at: datetime | None
    breached_at: datetime | None
    percent: float
    warnings: dict = field(default_factory=dict)
    next_event_at: datetime | None = None
    transitions: list = field(default_factory=list)
    segments: list = field(default_factory=list)
    attribution: dict = field(default_factory=dict)

    def explain(self) -> list[str]:
        """One human-readable line per transition."""
        lines = []
        for t in self.transitions:
            line = f"{fmt_instant(t.at)} {t.action}"
            if t.event_id:
                line += f" by event {t.event_id}"
            if t.reason:
                line += f" ({t.reason})"
            lines.append(line)
        return lines


def describe_change(event: Event, before: Mapping, after: Mapping) -> str:
    """A short human reason for an event: what it changed, else its kind.
    ``after`` is ``events.apply(before, event)``: only the fields the event sets can differ."""
    if event.kind == "created":
        return "created"
    changes = []
    for name in TICKET_FIELDS:
        if getattr(event, name) is not None and before.get(name) != after.get(name):
            value = after.get(name)
            changes.append(f"{name} cleared" if value is None else f"{name} became {value}")
    for key in sorted(PAYLOAD_PREFIX + key for key in event.payload) if event.payload else ():
        if before.get(key) != after.get(key):
            value = after.get(key)
            changes.append(f"{key} cleared" if value is None else f"{key} became {value}")
    kind = event.kind + (", public" if event.public else "")
    if not changes:
        return kind
    if event.kind in ("updated", "status_changed") and not event.public:
        return "; ".join(changes)
    return f"{kind}: " + "; ".join(changes)


def fmt_instant(at: datetime) -> str:
    """UTC ISO form with a Z, minutes only when seconds are zero: 2025-03-07T16:30Z."""
    at = aware_utc(at, "at")
    text = at.strftime("%Y-%m-%dT%H:%M")
    if at.second or at.microsecond:
        text += f":{at.second:02d}"
        if at.microsecond:
            text += f".{at.microsecond:06d}"
    return text + "Z"


def fmt_seconds(seconds: float) -> str:
    """4h, 1h30m, 45m, 1m30s, 0.5s."""
    if seconds != int(seconds) or seconds < 60:
        return f"{seconds:g}s" if seconds < 60 else f"{seconds / 3600:g}h"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else "",
             f"{secs}s" if secs else ""]
    return "".join(parts)
