"""Small value types and formatting shared by the clock engine."""

from __future__ import annotations

from collections.abc import Mapping
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


def describe_change(event: Event, before: Mapping, after: Mapping) -> str:
    """A short human reason for an event: what it changed, else its kind."""
    if event.kind == "created":
        return "created"
    changes = []
    for name in TICKET_FIELDS:
        if before.get(name) != after.get(name):
            value = after.get(name)
            changes.append(f"{name} cleared" if value is None else f"{name} became {value}")
    for key in sorted(set(before) | set(after)):
        if key.startswith(PAYLOAD_PREFIX) and before.get(key) != after.get(key):
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
