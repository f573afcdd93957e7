"""GLPI pull through its REST API (``apirest.php``): tickets changed since the cursor, each
with its history (``Ticket/{id}/Log``) and followups.

A session is opened with ``initSession`` (``Authorization: user_token ...`` or basic auth,
plus ``App-Token`` when the API client needs one) and closed with ``killSession``. Tickets
come from ``search/Ticket`` (criterion: last update, search option 19, after the cursor;
sorted by it), pages chosen with ``range=start-end`` and counted by ``Content-Range``.

Each save of a ticket (its history entries sharing one ``date_mod``) is rebuilt as the body
the ticket webhook of the connector page sends for it -- the ticket after that save -- and
read by the same translation, so a change GLPI both pushed and let us pull is one event
(``desks/glpi.py`` names the ids). The history's old values add what the webhook cannot
see: a status leaving Solved/Closed for an open one is also a ``reopened`` event. History
entries read: status (search option 12) and priority (3) with their numbers, and the
assigned group (8) added or removed (linked actions 15 and 16); the creation entry (linked
action 20) dates the ticket's first state. Times are GLPI's local times: the mapping's
``timezone`` (UTC if none). The cursor is the latest ``date_mod`` stored; each run asks
from a second before it, so an edge ticket comes again as duplicates, never missed.
"""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ..desks import glpi as desk
from ..desks.base import instant
from ..desks.mapping import Mapping, Unmappable
from .client import SyncError

PAGE = 50
LOG_PAGE = 200
STATUS, PRIORITY, ASSIGNED_GROUP, LAST_UPDATE, ID = 12, 3, 8, 19, 2
ADD_RELATION, DEL_RELATION, CREATE_ITEM = 15, 16, 20
_RANGE = re.compile(r"(\d+)-(\d+)/(\d+)")


def total_of(client, answer) -> int | None:
    """The count of a paged answer: ``Content-Range: 0-49/200`` (else ``totalcount``)."""
    for name, value in client.last_headers.items():
        if name.lower() == "content-range":
            found = _RANGE.search(value)
            if found:
                return int(found.group(3))
    if isinstance(answer, dict) and answer.get("totalcount") is not None:
        return int(answer["totalcount"])
    return None


def ranged_get(client, path: str, params: dict, start: int, page: int):
    """One range of a list; None past its end (GLPI answers 400 ERROR_RANGE_EXCEED_TOTAL
    when rows went away since the count was read)."""
    try:
        return client.get(path, {**params, "range": f"{start}-{start + page - 1}"})
    except SyncError as exc:
        if start and "ERROR_RANGE_EXCEED_TOTAL" in str(exc):
            return None
        raise


def all_of(client, path: str) -> list[dict]:
    """Every row of a sub-item list (history, followups), range by range."""
    rows, start, page = [], 0, LOG_PAGE
    while True:
        answer = ranged_get(client, path, {}, start, page)
        if answer is None:
            return rows
        if not isinstance(answer, list):
            raise SyncError(f"GET {path}: expected a list of rows")
        rows.extend(answer)
        total = total_of(client, answer)
        start += len(answer)
        if not answer or len(answer) < page or (total is not None and start >= total):
            return rows


def _at(value, tz) -> str:
    return instant(value, "date_mod", tz)


def ticket_payloads(ticket: dict, logs: list[dict], followups: list[dict], mapping: dict
                    ) -> tuple[list[dict], list[str]]:
    """The webhook bodies of one ticket (its creation, each save, each followup), oldest
    first, and the instants at which it was reopened."""
    tz = mapping.get("timezone")
    m = Mapping(mapping)
    tid = ticket["id"]
    created = next((h for h in logs if h.get("linked_action") == CREATE_ITEM), None)
    start = _at((created or {}).get("date_mod") or ticket.get("date_creation")
                or ticket.get("date"), tz)
    fields = [h for h in logs if h.get("id_search_option") in (STATUS, PRIORITY)
              and not h.get("linked_action")]
    values = {STATUS: ticket.get("status"), PRIORITY: ticket.get("priority")}
    for option in (STATUS, PRIORITY):  # the values it was created with
        first = next((h for h in sorted(fields, key=lambda h: (_at(h["date_mod"], tz), h["id"]))
                      if h["id_search_option"] == option), None)
        if first is not None:
            values[option] = first.get("old_value")
    groups: list[str] = []
    saves: dict[str, list[dict]] = {}
    for h in sorted(logs, key=lambda h: (_at(h["date_mod"], tz), h["id"])):
        relevant = h in fields or (h.get("id_search_option") == ASSIGNED_GROUP and
                                   h.get("linked_action") in (ADD_RELATION, DEL_RELATION))
        if relevant:
            saves.setdefault(_at(h["date_mod"], tz), []).append(h)

    def body(event, at):
        return {"event": event, "ticket_id": str(tid), "at": at, "status": values[STATUS],
                "priority": values[PRIORITY], "group": groups[-1] if groups else ""}

    payloads, reopened = [], []
    for at in sorted(saves):
        if at > start and not payloads:
            payloads.append(body("new", start))
        before = values[STATUS]
        for h in saves[at]:
            option = h["id_search_option"]
            if option != ASSIGNED_GROUP:
                values[option] = h.get("new_value")
                continue
            added = h["linked_action"] == ADD_RELATION
            name = desk.group_name(h.get("new_value") if added else h.get("old_value"))
            if name in groups:
                groups.remove(name)
            if added:
                groups.append(name)
        if at <= start:
            continue
        payloads.append(body("update", at))
        kind, _ = m.transition(desk.named(mapping, "status", before),
                               desk.named(mapping, "status", values[STATUS]))
        if kind == "reopened":
            reopened.append(at)
    if not payloads:
        payloads.append(body("new", start))
    for f in followups:
        payloads.append({"event": "comment", "itemtype": "Ticket", "ticket_id": str(tid),
                         "comment_id": str(f["id"]),
                         "at": _at(f.get("date_creation") or f.get("date"), tz),
                         "public": not f.get("is_private")})
    return payloads, reopened


def ticket_events(ticket, logs, followups, mapping) -> list[dict]:
    payloads, reopened = ticket_payloads(ticket, logs, followups, mapping)
    events = []
    for payload in payloads:
        events.extend(desk.translate(payload, mapping)[1])
    by_id = {e["event_id"]: e for e in events}
    for at in reopened:
        save = by_id[f"{ticket['id']}:{desk.change_id(at)}"]
        events.append({**save, "event_id": f"{save['event_id']}:reopened", "kind": "reopened"})
    return events


def _local(at: datetime, tz: str | None) -> str:
    return at.astimezone(ZoneInfo(tz) if tz else UTC).strftime("%Y-%m-%d %H:%M:%S")


def _open_session(client) -> None:
    client.headers["Content-Type"] = "application/json"  # apirest.md: on every call
    answer = client.get("initSession")
    token = answer.get("session_token") if isinstance(answer, dict) else None
    if not token:
        raise SyncError("initSession: no session_token in GLPI's answer")
    client.headers.pop("Authorization", None)
    client.headers["Session-Token"] = token


def pages(connector, client, cursor: dict, since: datetime | None):
    mapping = connector.mapping
    tz = mapping.get("timezone")
    start = since or (datetime.fromisoformat(cursor["since"]) if cursor.get("since") else None)
    query = {"sort": LAST_UPDATE, "order": "ASC", "forcedisplay[0]": ID,
             "forcedisplay[1]": LAST_UPDATE}
    if start is not None:
        query.update({"criteria[0][field]": LAST_UPDATE, "criteria[0][searchtype]": "morethan",
                      "criteria[0][value]": _local(start - timedelta(seconds=1), tz)})
    _open_session(client)
    try:
        offset, latest = 0, start
        while True:
            answer = ranged_get(client, "search/Ticket", query, offset, PAGE)
            if answer is None:
                return
            total = total_of(client, answer)
            rows = (answer.get("data") or []) if isinstance(answer, dict) else []
            events = []
            for row in rows:
                tid = row.get(str(ID))
                ticket = client.get(f"Ticket/{tid}")
                logs = all_of(client, f"Ticket/{tid}/Log")
                followups = all_of(client, f"Ticket/{tid}/ITILFollowup")
                try:
                    events.extend(ticket_events(ticket, logs, followups, mapping))
                    at = datetime.fromisoformat(_at(row.get(str(LAST_UPDATE))
                                                    or ticket.get("date_mod"), tz))
                except Unmappable as exc:  # stop here, visibly; the cursor stays before it
                    raise SyncError(f"ticket {tid}: {exc}") from None
                latest = at if latest is None or at > latest else latest
            new_cursor = {"since": latest.astimezone(UTC).isoformat()} if latest else dict(cursor)
            yield events, new_cursor, f"tickets range {offset}-{offset + PAGE - 1}"
            offset += len(rows)
            if len(rows) < PAGE or (total is not None and offset >= total):
                return
    finally:
        try:
            client.get("killSession")
        except SyncError:
            pass  # the session expires by itself
