"""Zendesk: ticket event webhooks (``zen:event-type:ticket.*``) and the incremental ticket
events export.

Webhooks are signed ``X-Zendesk-Webhook-Signature`` = base64 HMAC-SHA256 over the
``X-Zendesk-Webhook-Signature-Timestamp`` header's value followed directly by the raw body.
Event ids are built from what both the webhook and the export carry: the ticket id, the
instant of the change (the ticket's ``updated_at`` / the audit's ``created_at``) and the
field, or the comment id, so the same change pulled later is a duplicate.
"""

from datetime import datetime

from .base import (
    BadSignature,
    Unmappable,
    check_age,
    compare,
    event,
    header,
    hmac_b64,
    instant,
)
from .mapping import Mapping

TOLERANCE = 300
PREFIX = "zen:event-type:ticket."
# Zendesk field -> Accord's name for it
FIELDS = {"status": "status", "priority": "priority", "group_id": "team",
          "assignee_id": "assignee"}
_WEBHOOK_FIELDS = {"status_changed": "status", "priority_changed": "priority",
                   "group_assignment_changed": "group_id",
                   "agent_assignment_changed": "assignee_id"}


def verify(secret, headers, body, now):
    stamp = header(headers, "X-Zendesk-Webhook-Signature-Timestamp")
    given = header(headers, "X-Zendesk-Webhook-Signature")
    if not stamp or not given:
        raise BadSignature("missing X-Zendesk-Webhook-Signature or -Timestamp header")
    try:
        at = datetime.fromisoformat(stamp.strip())
    except ValueError:
        raise BadSignature(f"X-Zendesk-Webhook-Signature-Timestamp {stamp!r} is not ISO 8601"
                           ) from None
    if at.tzinfo is None:
        raise BadSignature("X-Zendesk-Webhook-Signature-Timestamp has no offset")
    check_age(at, now, TOLERANCE)
    if not compare(hmac_b64(secret, stamp.encode() + body), given):
        raise BadSignature("X-Zendesk-Webhook-Signature does not match the body")


def delivery_key(headers) -> str:
    return ""


def _value(value):
    return None if value in (None, "") else str(value).lower() if isinstance(value, str) \
        else str(value)


def created(ticket_id, at, values: dict, m: Mapping) -> dict:
    kinds, fields = m.created_fields(_value(values.get("status")))
    payload = fields.pop("payload")
    if values.get("priority") not in (None, ""):
        fields["priority"] = m.priority(_value(values["priority"]))
    if values.get("group_id") not in (None, ""):
        team = _team(values["group_id"], m)
        if team:
            fields["team"] = team
        else:
            payload["group_id"] = str(values["group_id"])
    if values.get("assignee_id") not in (None, ""):
        payload["assignee_id"] = str(values["assignee_id"])
    return event(f"{ticket_id}:created", ticket_id, instant(at, "created_at"), kinds[0],
                 **fields, payload=payload)


def _team(group_id, m: Mapping) -> str | None:
    """The team of a mapped group; "" for no group; None for a group the mapping lacks."""
    if group_id in (None, ""):
        return ""
    return m.teams.get(str(group_id).casefold())


def _plain(value):
    """An event value: text or an id, or an object with an id (group and agent changes)."""
    return value.get("id") if isinstance(value, dict) else value


def change(ticket_id, at, field: str, before, after, m: Mapping) -> dict | None:
    at = instant(at, "updated_at")
    before, after = _plain(before), _plain(after)
    event_id = f"{ticket_id}:{at}:{field}"
    if field == "status":
        kind, fields = m.transition(_value(before), _value(after))
        return event(event_id, ticket_id, at, kind, **fields)
    if field == "priority":
        return event(event_id, ticket_id, at, "updated", priority=m.priority(_value(after)) or "")
    if field == "group_id":
        team = _team(after, m)
        return event(event_id, ticket_id, at, "updated", team=team,
                     payload=None if team is not None else {"group_id": str(after)})
    if field == "assignee_id":
        return event(event_id, ticket_id, at, "updated",
                     payload={"assignee_id": None if after in (None, "") else str(after)})
    return None


def commented(ticket_id, at, comment_id, public, author=None) -> dict:
    return event(f"{ticket_id}:comment:{comment_id}", ticket_id, instant(at, "created_at"),
                 "commented", public=bool(public),
                 payload={"author_id": str(author)} if author not in (None, "") else None)


def translate(payload, mapping):
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise Unmappable("body: expected a Zendesk event webhook object with a type")
    m = Mapping(mapping)
    name = payload["type"]
    if not name.startswith(PREFIX):
        return name[:100], []
    what = name[len(PREFIX):]
    detail = payload.get("detail")
    if not isinstance(detail, dict) or detail.get("id") in (None, ""):
        raise Unmappable("detail.id: required")
    ticket = str(detail["id"])
    ev = payload.get("event") if isinstance(payload.get("event"), dict) else {}
    if what == "created":
        return name, [created(ticket, detail.get("created_at"), detail, m)]
    if what in _WEBHOOK_FIELDS:
        found = change(ticket, detail.get("updated_at"), _WEBHOOK_FIELDS[what],
                       ev.get("previous"), ev.get("current"), m)
        return name, [found] if found else []
    if what == "comment_added":
        comment = ev.get("comment") if isinstance(ev.get("comment"), dict) else {}
        if comment.get("id") in (None, ""):
            raise Unmappable("event.comment.id: required")
        author = comment.get("author") if isinstance(comment.get("author"), dict) else {}
        return name, [commented(ticket, detail.get("updated_at"), comment["id"],
                                comment.get("is_public", m.comments_public), author.get("id"))]
    return name, []


def from_export(ticket_event: dict, m: Mapping) -> list[dict]:
    """The events of one audit of the incremental ticket events export."""
    ticket = ticket_event.get("ticket_id")
    at = ticket_event.get("created_at") or ticket_event.get("timestamp")
    if ticket in (None, ""):
        raise Unmappable("ticket_events[].ticket_id: required")
    ticket = str(ticket)
    children = [c for c in ticket_event.get("child_events") or [] if isinstance(c, dict)]
    events = []
    creates = {}
    for child in children:
        child_type = child.get("event_type")
        if child_type == "Create":
            for field in FIELDS:
                if field in child:
                    creates[field] = child[field]
            if child.get("field_name") in FIELDS:
                creates[child["field_name"]] = child.get("value")
        elif child_type == "Change":
            field = child.get("field_name") or next((f for f in FIELDS if f in child), None)
            if field in FIELDS:
                after = child.get("value", child.get(field))
                found = change(ticket, at, field, child.get("previous_value"), after, m)
                if found:
                    events.append(found)
        elif child_type == "Comment":
            author = child.get("author_id")
            events.append(commented(ticket, at, child.get("id"),
                                    child.get("public", m.comments_public), author))
    if creates or ticket_event.get("event_type") == "Create":
        events.insert(0, created(ticket, at, creates, m))
    return events
