"""Repeats of an event: a duplicate when its content is the same, a conflict when not.

"Same content" compares every normalized field of the event except its identity:
``ticket_id``, ``timestamp`` (the instant, to the microsecond), ``kind``, ``status``,
``priority``, ``impact``, ``urgency``, ``type``, ``service``, ``customer``, ``team``,
``supplier``, ``public`` and ``payload`` (as JSON: key order does not matter, ``1`` and
``1.0`` and ``true`` differ). What the server adds (``received_at``, the row id) is not
content. A field left out and a field sent as null are the same (both mean "absent").
"""

import json

from accord.clock.events import TICKET_FIELDS, Event, stored_event

from ..choices import IngestStatus
from ..models import Ticket, TicketEvent
from ._bulk import select_in
from ._results import ItemResult

COMPARED = ("ticket_id", "timestamp", "kind", *TICKET_FIELDS, "public", "payload")
_STORED = ("event_id", "ticket", "timestamp", "kind", *TICKET_FIELDS, "public", "payload")


def differences(new: Event, old: Event) -> list[str]:
    """The names of the compared fields in which ``new`` differs from ``old``."""
    diff = [name for name in COMPARED[:-1] if getattr(new, name) != getattr(old, name)]
    if _canonical_json(new.payload) != _canonical_json(old.payload):
        diff.append("payload")
    return diff


def _canonical_json(value) -> str:
    return json.dumps(value or {}, sort_keys=True, separators=(",", ":"))


def repeat(index: int, new: Event, old: Event | None) -> ItemResult:
    """The result for ``new``, whose (source, event_id) is ``old``'s (None: a stored event
    that could not be read back, counted a duplicate)."""
    diff = differences(new, old) if old is not None else []
    if not diff:
        return ItemResult(index, IngestStatus.DUPLICATE, new.event_id)
    return ItemResult(index, IngestStatus.CONFLICT, new.event_id, [
        {"field": name, "msg": f"event {new.event_id!r} of source {new.source!r} is already "
         f"stored with a different {name}; the stored event is kept unchanged (send a new "
         "event_id for a new event)"} for name in diff])


def stored_events(keys) -> dict[tuple[str, str], Event]:
    """The stored events of these (source, event_id) keys, as ``Event`` objects."""
    by_source: dict[str, list[str]] = {}
    for source, event_id in keys:
        by_source.setdefault(source, []).append(event_id)
    rows = []
    for source, ids in by_source.items():
        rows.extend((source, row) for row in select_in(TicketEvent, _STORED, "event_id", ids,
                                                       source=source))
    ticket_ids = dict(select_in(Ticket, ["id", "ticket_id"], "id",
                                {row[1] for _, row in rows}))
    found = {}
    for source, (event_id, ticket, timestamp, kind, *fields, public, payload) in rows:
        found[(source, event_id)] = stored_event(
            ticket_ids.get(ticket, ""), timestamp, kind, source, event_id, *fields, public,
            payload or {})
    return found
