"""Freshservice: a desk whose webhook body the administrator writes (GLPI's, in
``glpi.py``, shares the header check below).

The body to paste (``TEMPLATES``) is shown on the connector page. It names the event
(``created``, ``updated`` or ``comment``), the ticket, the desk's id for the change (an
activity id where the desk offers one in its placeholders, else the update time), the
instant and the ticket's fields. Freshservice signs nothing but lets the administrator add a
header: the call carries ``X-Accord-Token: <the connector's secret>``, compared in constant
time. Times without an offset are read in the mapping's ``timezone`` (UTC if none).
"""

from .base import BadSignature, Unmappable, compare, event, header, instant, require
from .mapping import Mapping

TOKEN_HEADER = "X-Accord-Token"

TEMPLATES = {
    "freshservice": """{
  "event": "updated",
  "ticket_id": "{{ticket.id_numeric}}",
  "change_id": "{{ticket.id_numeric}}-{{ticket.updated_on}}",
  "at": "{{ticket.updated_on}}",
  "status": "{{ticket.status}}",
  "previous_status": "",
  "priority": "{{ticket.priority}}",
  "group": "{{ticket.group_name}}",
  "public": true
}""",
}


def verify(secret, headers, body, now):
    given = header(headers, TOKEN_HEADER)
    if not given:
        raise BadSignature(f"missing {TOKEN_HEADER} header")
    if not compare(secret, given):
        raise BadSignature(f"{TOKEN_HEADER} is not this connector's secret")


def delivery_key(headers) -> str:
    return ""


def translate(payload, mapping):
    if not isinstance(payload, dict):
        raise Unmappable("body: expected the connector page's template, filled in")
    m = Mapping(mapping)
    tz = mapping.get("timezone")
    name = require(payload, "event", "body")
    ticket = require(payload, "ticket_id", "body")
    at = instant(require(payload, "at", "body"), "at", tz)
    change = payload.get("change_id") or at
    fields = {"priority": m.priority(payload.get("priority")), "team": m.team(payload.get("group"))}
    if name == "created":
        kinds, base = m.created_fields(payload.get("status"))
        return name, [event(f"{ticket}:created", ticket, at, kinds[0], **base, **fields)]
    if name == "updated":
        status, previous = payload.get("status"), payload.get("previous_status")
        kind, extra = "updated", {}
        if status and previous and str(status).casefold() != str(previous).casefold():
            kind, extra = m.transition(previous, status)
        elif status:
            entry = m.entry(status)
            kind = entry.get("kind") or "updated"
            extra = {"status": m.status(status), "payload": {"paused": bool(entry.get("pause"))}}
        return name, [event(f"{ticket}:{change}", ticket, at, kind, **fields, **extra)]
    if name == "comment":
        return name, [event(f"{ticket}:comment:{change}", ticket, at, "commented",
                            public=bool(payload.get("public", m.comments_public)))]
    raise Unmappable(f"event: {name!r} is not created, updated or comment")
