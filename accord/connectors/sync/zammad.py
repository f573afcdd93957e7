"""Zammad pull: changed tickets (search, oldest update first), each with its history and
articles.

Each save of a ticket (its history entries sharing one ``created_at``) is rebuilt as the
trigger webhook's default payload -- the ticket as it was after that save, with the
article created in it -- and read by the same translation, so a change Zammad both pushed
and let us pull is one event (ids: the ticket id and the save's instant, as the webhook's
``updated_at``; articles by id). The history's ``value_from`` adds what the webhook cannot
see: a state change out of a closed (or other ``kind``) state into an open one is also a
``reopened`` event, ``<ticket id>:<updated_at>:reopened``. The cursor is the latest
``updated_at`` stored.
"""

from datetime import UTC, datetime

from ..desks import zammad as desk
from ..desks.base import instant
from ..desks.mapping import Mapping

PAGE = 50
ATTRIBUTES = ("state", "priority", "group")


def _name(value):
    return value.get("name") if isinstance(value, dict) else value


def ticket_payloads(ticket: dict, history: list[dict], articles: list[dict]) -> list[dict]:
    """The webhook payloads of one ticket's saves, oldest first."""
    changes = sorted((h for h in history if h.get("object") == "Ticket"
                      and h.get("type") == "updated" and h.get("attribute") in ATTRIBUTES),
                     key=lambda h: (h["created_at"], h.get("id", 0)))
    values = {a: _name(ticket.get(a)) for a in ATTRIBUTES}
    for attribute in ATTRIBUTES:  # the values it was created with
        first = next((h for h in changes if h["attribute"] == attribute), None)
        if first is not None:
            values[attribute] = first.get("value_from")
    by_id = {a.get("id"): a for a in articles}
    saves: dict[str, dict] = {}
    for h in changes:
        saves.setdefault(h["created_at"], {"changes": [], "article": None})["changes"].append(h)
    for h in history:
        if h.get("object") == "Ticket::Article" and h.get("type") == "created" \
                and h.get("created_at") != ticket.get("created_at"):
            saves.setdefault(h["created_at"], {"changes": [], "article": None})[
                "article"] = by_id.get(h.get("o_id"))
    base = {"id": ticket["id"], "number": ticket.get("number"),
            "created_at": ticket.get("created_at")}
    payloads = [{"ticket": {**base, **values, "updated_at": ticket.get("created_at")}}]
    for at in sorted(saves):
        for h in saves[at]["changes"]:
            values[h["attribute"]] = h.get("value_to")
        payload = {"ticket": {**base, **values, "updated_at": at}}
        if saves[at]["article"]:
            payload["article"] = saves[at]["article"]
        payloads.append(payload)
    return payloads


def reopenings(history: list[dict], mapping: dict) -> list[str]:
    """The instants (as history gives them) of state changes that reopen the ticket."""
    m = Mapping(mapping)
    return [h["created_at"] for h in history
            if h.get("object") == "Ticket" and h.get("type") == "updated"
            and h.get("attribute") == "state"
            and m.transition(h.get("value_from"), h.get("value_to"))[0] == "reopened"]


def ticket_events(ticket, history, articles, mapping) -> list[dict]:
    events = []
    for payload in ticket_payloads(ticket, history, articles):
        events.extend(desk.translate(payload, mapping)[1])
    by_id = {e["event_id"]: e for e in events}
    for at in reopenings(history, mapping):
        save = by_id.get(f"{ticket['id']}:{at}")
        if save is not None:
            events.append({**save, "event_id": f"{save['event_id']}:reopened",
                           "kind": "reopened"})
    return events


def pages(connector, client, cursor: dict, since: datetime | None):
    start = since or (datetime.fromisoformat(cursor["since"]) if cursor.get("since") else None)
    query = "updated_at:[{} TO *]".format(
        start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if start else "*")
    page, latest = 1, start
    while True:
        tickets = client.get("api/v1/tickets/search", {
            "query": query, "sort_by": "updated_at", "order_by": "asc", "expand": "true",
            "page": page, "per_page": PAGE})
        if isinstance(tickets, dict):  # without expand Zammad answers {"tickets": [...]}
            tickets = tickets.get("tickets") or []
        events = []
        for ticket in tickets:
            history = client.get(f"api/v1/ticket_history/{ticket['id']}").get("history") or []
            articles = client.get(f"api/v1/ticket_articles/by_ticket/{ticket['id']}")
            events.extend(ticket_events(ticket, history, articles or [], connector.mapping))
            at = datetime.fromisoformat(instant(ticket.get("updated_at"), "updated_at"))
            latest = at if latest is None or at > latest else latest
        new_cursor = {"since": latest.astimezone(UTC).isoformat()} if latest else dict(cursor)
        yield events, new_cursor, f"tickets page {page}"
        if len(tickets) < PAGE:
            return
        page += 1
