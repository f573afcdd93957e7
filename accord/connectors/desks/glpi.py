"""GLPI: the Webhooks of GLPI 11 (Setup → Webhooks), their payload written from the
templates below (GLPI renders them with Twig over ``event`` and ``item``, the ticket or
followup as GLPI's high-level API shows it).

GLPI signs each call with the webhook's secret (its Security tab: paste the connector's
secret there): ``X-GLPI-signature`` = hex HMAC-SHA256 of the body followed by
``X-GLPI-timestamp`` (Unix seconds; ``Webhook::raise``). GLPI stores these headers when it
queues the call and sends the same ones on its retries, so the timestamp may be hours old:
a day is allowed (a replay inside it only repeats events already stored). A call carrying
``X-Accord-Token: <secret>`` instead (a custom header) is checked as for Freshservice.
Status and priority travel as GLPI's numbers, whatever the language of the instance; the
mapping's ``values`` name them.

Event ids, shared with pull sync (``sync/glpi.py``) so a change seen both ways is stored
once: ``<ticket>:created``; ``<ticket>:<instant>`` for a save of the ticket, the instant
being the ticket's ``date_mod`` (GLPI stamps the ticket and every history entry of one save
with the same request time) in UTC to the second, e.g. ``4711:2025-03-03T10:00:00Z``;
``<ticket>:followup:<followup id>`` for a followup. The webhook body is the ticket *after*
the save and GLPI gives no previous status, so a save gives ``resolved``/``closed`` on
entering such a status and ``updated`` otherwise; only pull sync, reading the history's old
and new values, adds the reopening (``<ticket>:<instant>:reopened``).
"""

from datetime import UTC, datetime
from functools import cache

from . import template
from .base import (
    BadSignature,
    Unmappable,
    check_age,
    compare,
    event,
    header,
    hmac_hex,
    instant,
    require,
)
from .mapping import TERMINAL, Mapping, default_mapping
from .template import TOKEN_HEADER, delivery_key

__all__ = ["TICKET_TEMPLATE", "FOLLOWUP_TEMPLATE", "verify", "delivery_key", "translate",
           "change_id"]

# The assigned group: the team member whose role is "assigned" and whose link is a group's.
_GROUP = ("{% for m in item.team %}{% if m.role == 'assigned' and 'group.form.php' in m.href %}"
          "{{ m.name }}{% endif %}{% endfor %}")
TICKET_TEMPLATE = """{
  "event": "{{ event }}",
  "ticket_id": "{{ item.id }}",
  "at": "{{ item.date_mod|date('c') }}",
  "status": "{{ item.status.id }}",
  "priority": "{{ item.priority }}",
  "group": "GROUP"
}""".replace("GROUP", _GROUP)

FOLLOWUP_TEMPLATE = """{
  "event": "comment",
  "itemtype": "{{ item.itemtype }}",
  "ticket_id": "{{ item.items_id }}",
  "comment_id": "{{ item.id }}",
  "at": "{{ item.date_creation|date('c') }}",
  "public": {{ item.is_private ? 'false' : 'true' }}
}"""

CREATED, UPDATED = ("new", "created"), ("update", "updated")
SIGNATURE, TIMESTAMP = "X-GLPI-signature", "X-GLPI-timestamp"
TOLERANCE = 24 * 3600  # seconds: GLPI retries a queued call with the headers it queued


def verify(secret, headers, body, now):
    given = header(headers, SIGNATURE)
    if not given:
        if header(headers, TOKEN_HEADER):
            return template.verify(secret, headers, body, now)
        raise BadSignature(f"missing {SIGNATURE} header (or {TOKEN_HEADER})")
    stamp = (header(headers, TIMESTAMP) or "").strip()
    if not stamp.isdigit():
        raise BadSignature(f"{TIMESTAMP}: expected Unix seconds, got {stamp!r}")
    if not compare(hmac_hex(secret, body + stamp.encode()), given.lower()):
        raise BadSignature(f"{SIGNATURE} does not match the body")
    check_age(datetime.fromtimestamp(int(stamp), UTC), now, TOLERANCE)


def change_id(at: str) -> str:
    """The instant part of a save's id: UTC, to the second (``2025-03-03T10:00:00Z``)."""
    return datetime.fromisoformat(at).strftime("%Y-%m-%dT%H:%M:%SZ")


@cache
def _glpi_values() -> dict:
    return default_mapping("glpi")["values"]


def named(mapping: dict, field: str, value):
    """GLPI's number for a status or priority, named through the mapping's ``values``
    (GLPI's own names where the mapping has none for that field)."""
    if value in (None, ""):
        return None
    values = mapping.get("values", {}).get(field)
    if values is None:
        values = _glpi_values().get(field, {})
    return values.get(str(value), str(value))


def group_name(value) -> str:
    """A group as GLPI's history names it ("Parent > Child (7)") or as the webhook does
    ("Child"): the group's own name."""
    text = str(value or "").strip()
    if text.endswith(")") and " (" in text:
        head, _, tail = text.rpartition(" (")
        if tail[:-1].isdigit():
            text = head
    return text.rpartition(" > ")[2].strip()


def translate(payload, mapping):
    if not isinstance(payload, dict):
        raise Unmappable("body: expected the connector page's template, filled in")
    m = Mapping(mapping)
    name = str(require(payload, "event", "body"))
    ticket = require(payload, "ticket_id", "body")
    at = instant(require(payload, "at", "body"), "at", mapping.get("timezone"))
    if name == "comment":
        if payload.get("itemtype") not in (None, "", "Ticket"):
            return name, []  # a followup of a change or a problem
        comment = require(payload, "comment_id", "body")
        return name, [event(f"{ticket}:followup:{comment}", ticket, at, "commented",
                            public=bool(payload.get("public", m.comments_public)))]
    status = named(mapping, "status", payload.get("status"))
    fields = {"priority": m.priority(named(mapping, "priority", payload.get("priority"))),
              "team": m.team(group_name(payload.get("group")))}
    if name in CREATED:
        kinds, base = m.created_fields(status)
        return "created", [event(f"{ticket}:created", ticket, at, kinds[0], **base, **fields)]
    if name in UPDATED:
        entry = m.entry(status)
        kind = entry["kind"] if entry.get("kind") in TERMINAL else "updated"
        extra = {"status": m.status(status), "payload": {"paused": bool(entry.get("pause"))}} \
            if status else {}
        return "updated", [event(f"{ticket}:{change_id(at)}", ticket, at, kind, **fields,
                                 **extra)]
    raise Unmappable(f"event: {name!r} is not new, update or comment")
