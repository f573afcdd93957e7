"""Derived ticket state: the seam between stored events and everything computed from them."""

from collections import defaultdict, namedtuple
from datetime import datetime

from accord.clock.events import TICKET_FIELDS

from ..clocks import recompute_tickets
from ..models import CATALOGUE_FIELDS, Ticket, TicketEvent
from ._bulk import select_in, update_by_pk

CHUNK = 1000
_EVENT_COLUMNS = ("ticket", "timestamp", "kind", "source", "event_id", *TICKET_FIELDS,
                  "payload")
# The derived columns of a ticket, in the order of ``ticket_row``.
TICKET_COLUMNS = (*TICKET_FIELDS, "stage", "opened_at", "resolved_at", "closed_at",
                  "last_event_at", "event_count", "payload")

_Row = namedtuple("_Row", ("ticket", *_EVENT_COLUMNS[1:]))


def tickets_changed(ticket_ids, now: datetime, *, histories: dict | None = None,
                    fresh=frozenset(), clocks: bool = True, beside=None) -> None:
    """Called after events of ``ticket_ids`` were stored, inside the same transaction.

    The one hook for everything derived from events: it refreshes the tickets' fields and
    recomputes their stored clocks. ``histories`` gives, for some tickets, their
    complete list of events (objects with TicketEvent's attributes, e.g. ``clock.Event``)
    when the caller has them in hand; the rest are read from the database. ``fresh`` tickets
    were created by the caller with fields already derived from their ``histories``.
    ``clocks=False`` skips the clocks: the caller recomputes them later. ``beside`` (a
    ``clocks.Beside``) has computed the clocks of some fresh tickets meanwhile.
    """
    refresh_tickets(set(ticket_ids) - set(fresh), histories=histories)
    if clocks:
        recompute_tickets(ticket_ids, now, histories=histories, beside=beside)


def refresh_tickets(ticket_ids, *, histories: dict | None = None) -> int:
    """Re-derive the fields of these tickets by folding all their events. Returns the count."""
    ids = sorted(set(ticket_ids))
    histories = histories or {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        by_ticket = defaultdict(list)
        for pk in chunk:
            if pk in histories:
                by_ticket[pk] = histories[pk]
        unknown = [pk for pk in chunk if pk not in histories]
        for row in select_in(TicketEvent, _EVENT_COLUMNS, "ticket", unknown):
            by_ticket[row[0]].append(_Row(*row))
        folded = {pk: Ticket.fold(by_ticket.get(pk, ())) for pk in chunk}
        maps = name_maps(folded.values())
        update_by_pk(Ticket, TICKET_COLUMNS,
                     [(pk, *ticket_row(state, maps)) for pk, state in folded.items()])
    return len(ids)


def ticket_row(state: dict, maps: dict[str, dict[str, int]]) -> tuple:
    """``Ticket.fold``'s result as TICKET_COLUMNS values (catalogue names become ids)."""
    return tuple(maps[name].get(state[name]) if name in maps else state[name]
                 for name in TICKET_COLUMNS)


def name_maps(states) -> dict[str, dict[str, int]]:
    """name -> id of the catalogue entries the folded ``states`` name."""
    maps = {}
    for field, model in CATALOGUE_FIELDS.items():
        names = {state[field] for state in states if state[field]}
        maps[field] = dict(model.objects.filter(name__in=names).values_list("name", "pk")
                           ) if names else {}
    return maps
