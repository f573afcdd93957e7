"""Normalized ticket events and the ticket states they fold into.

An ``Event`` is one row of DESIGN.md's ticket event format. ``canonical`` sorts and
de-duplicates a ticket's events; ``replay`` folds them into successive ticket states.
Both depend only on the *set* of events, so out-of-order or repeated input gives the
same result.

Field values: ``None`` means "absent" (the ticket keeps its previous value) and the
empty string ``""`` means "cleared" (e.g. a supplier hands the ticket back). A state
is a plain dict holding only the fields that are set: the ticket fields below plus
payload keys stored as ``"payload.<key>"``; a payload value of ``None`` removes the
key. ``public`` describes the event (a public comment), not the ticket, so it is not
carried in the state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

KINDS = (
    "created",
    "updated",
    "status_changed",
    "commented",
    "responded",
    "resolved",
    "closed",
    "reopened",
)
# Tiebreak for events at the same instant: the order above (created first, reopened last).
KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}

# Ticket fields carried from event to event (absent = keep the previous value).
TICKET_FIELDS = (
    "status",
    "priority",
    "impact",
    "urgency",
    "type",
    "service",
    "customer",
    "team",
    "supplier",
)
PAYLOAD_PREFIX = "payload."
_ALL_FIELDS = ("source", "event_id", "ticket_id", "timestamp", "kind", *TICKET_FIELDS,
               "public", "payload")
_TEXT_FIELDS = frozenset(("ticket_id", "source", "event_id", "kind", *TICKET_FIELDS))
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}



def aware_utc(value: datetime, name: str) -> datetime:
    """Return ``value`` in UTC; a naive or non-datetime value raises ValueError naming it."""
    if value.__class__ is datetime and value.tzinfo is UTC:
        return value
    if not isinstance(value, datetime):
        raise ValueError(f"{name}: expected a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name}: naive datetime {value.isoformat()} (an offset is required)")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Event:
    """One normalized ticket event; ``timestamp`` is kept in UTC."""

    ticket_id: str
    timestamp: datetime
    kind: str
    source: str = ""
    event_id: str = ""
    status: str | None = None
    priority: str | None = None
    impact: str | None = None
    urgency: str | None = None
    type: str | None = None
    service: str | None = None
    customer: str | None = None
    team: str | None = None
    supplier: str | None = None
    public: bool | None = None
    payload: dict = field(default_factory=dict, hash=False)

    def __post_init__(self):
        object.__setattr__(self, "timestamp", aware_utc(self.timestamp, "timestamp"))
        if self.kind not in KIND_RANK:
            raise ValueError(f"kind: unknown kind {self.kind!r} "
                             f"(expected one of {', '.join(KINDS)})")
        if not self.ticket_id:
            raise ValueError("ticket_id: required")
        if not self.event_id:
            object.__setattr__(self, "event_id", _content_id(self))

    @classmethod
    def from_dict(cls, d: Mapping) -> Event:
        """Validate a JSON/CSV-shaped mapping; ValueError names the bad field."""
        if d.__class__ is not dict and not isinstance(d, Mapping):
            raise ValueError(f"event: expected an object, got {type(d).__name__}")
        values = {}
        for name, value in d.items():
            if name in _TEXT_FIELDS:
                if value.__class__ is str:  # the common case, checked first
                    values[name] = value
                elif value is not None:
                    values[name] = _text(name, value)
            elif name not in _ALL_FIELDS:
                raise ValueError(f"{name}: unknown field")
        for name in ("ticket_id", "timestamp", "kind"):
            if d.get(name) in (None, ""):
                raise ValueError(f"{name}: required")
        timestamp = _timestamp(d["timestamp"])
        public, payload = _public(d.get("public")), _payload(d.get("payload"))
        kind = values["kind"]
        if kind not in KIND_RANK:
            raise ValueError(f"kind: unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
        get = values.get
        # Everything __post_init__ checks is checked above: build it directly.
        event = stored_event(values["ticket_id"], timestamp, kind, get("source", ""),
                             get("event_id", ""), get("status"), get("priority"),
                             get("impact"), get("urgency"), get("type"), get("service"),
                             get("customer"), get("team"), get("supplier"), public, payload)
        if not event.event_id:
            _set(event, "event_id", _content_id(event))
        return event

    def to_dict(self) -> dict:
        """A JSON-able dict that ``from_dict`` reads back to an equal event."""
        d = {"source": self.source, "event_id": self.event_id, "ticket_id": self.ticket_id,
             "timestamp": self.timestamp.isoformat(), "kind": self.kind}
        for name in (*TICKET_FIELDS, "public"):
            value = getattr(self, name)
            if value is not None:
                d[name] = value
        if self.payload:
            d["payload"] = dict(self.payload)
        return d

    @property
    def key(self) -> tuple[str, str]:
        """The identity used for de-duplication: (source, event_id)."""
        return (self.source, self.event_id)

    @property
    def sort_key(self) -> tuple:
        return (self.timestamp, KIND_RANK[self.kind], self.source, self.event_id)


_new, _set = object.__new__, object.__setattr__


def stored_event(ticket_id, timestamp, kind, source, event_id, status, priority, impact,
                 urgency, type, service, customer, team, supplier, public, payload) -> Event:
    """An ``Event`` from values validated when it was stored (a UTC ``timestamp``, a known
    ``kind``, an ``event_id``), built without checking them again: three times cheaper,
    for reading many events back."""
    event = _new(Event)
    _set(event, "ticket_id", ticket_id)
    _set(event, "timestamp", timestamp)
    _set(event, "kind", kind)
    _set(event, "source", source)
    _set(event, "event_id", event_id)
    _set(event, "status", status)
    _set(event, "priority", priority)
    _set(event, "impact", impact)
    _set(event, "urgency", urgency)
    _set(event, "type", type)
    _set(event, "service", service)
    _set(event, "customer", customer)
    _set(event, "team", team)
    _set(event, "supplier", supplier)
    _set(event, "public", public)
    _set(event, "payload", payload)
    return event


def _content_id(event: Event) -> str:
    """A stable id derived from the event's content, for sources without event ids."""
    d = {name: getattr(event, name) for name in _ALL_FIELDS if name != "event_id"}
    d["timestamp"] = event.timestamp.isoformat()
    blob = json.dumps(d, sort_keys=True, default=str, separators=(",", ":"))
    return "auto-" + hashlib.sha1(blob.encode()).hexdigest()[:16]


def _text(name: str, value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{name}: expected text, got {value!r}")


def _timestamp(value) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"timestamp: not an ISO 8601 instant: {value!r}") from None
    return aware_utc(value, "timestamp")


def _public(value) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "":
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ValueError(f"public: expected true or false, got {value!r}")


def _payload(value) -> dict:
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError(f"payload: not valid JSON: {value!r}") from None
    if value.__class__ is not dict and not isinstance(value, Mapping):
        raise ValueError(f"payload: expected an object, got {value!r}")
    for key in value:
        if not isinstance(key, str) or not key:
            raise ValueError(f"payload: keys must be non-empty text, got {key!r}")
    return dict(value)


def as_event(item: Event | Mapping) -> Event:
    return item if isinstance(item, Event) else Event.from_dict(item)


def canonical(events: Iterable[Event | Mapping]) -> list[Event]:
    """Events sorted by (timestamp, kind, source, event_id), one per (source, event_id).

    When two different events share an identity, the earliest (then the smallest by
    content) is kept, so the choice never depends on the input order.
    """
    seen: dict[tuple[str, str], Event] = {}
    for item in events:
        event = as_event(item)
        key = (event.source, event.event_id)
        other = seen.get(key)
        if other is None or (other != event and _pick_key(event) < _pick_key(other)):
            seen[key] = event
    return sorted(seen.values(), key=Event.sort_key.fget)


def _pick_key(event: Event) -> tuple:
    return (event.sort_key, json.dumps(event.to_dict(), sort_keys=True, default=str))


def apply(state: dict, event: Event) -> dict:
    """The ticket state after ``event``: a new dict; ``state`` is not modified."""
    after = dict(state)
    for name in TICKET_FIELDS:
        value = getattr(event, name)
        if value is None:
            continue
        if value == "":
            after.pop(name, None)
        else:
            after[name] = value
    for key, value in event.payload.items():
        if value is None:
            after.pop(PAYLOAD_PREFIX + key, None)
        else:
            after[PAYLOAD_PREFIX + key] = value
    return after


def replay(events: Iterable[Event | Mapping]) -> Iterator[tuple[Event, dict, dict]]:
    """Yield (event, state_before, state_after) for each event in canonical order."""
    state: dict = {}
    for event in canonical(events):
        after = apply(state, event)
        yield event, state, after
        state = after


class Holder(NamedTuple):
    """Who holds a ticket: role is "team" (OLA) or "supplier" (UC)."""

    role: str
    name: str

    def __str__(self):
        return f"{self.role} {self.name}"


def holder_of(state: Mapping) -> Holder | None:
    """The supplier while one is set (the ticket is with them), else the team, else None."""
    supplier = state.get("supplier")
    if supplier is not None:
        return Holder("supplier", supplier)
    team = state.get("team")
    if team is not None:
        return Holder("team", team)
    return None
