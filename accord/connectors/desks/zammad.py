"""Zammad: trigger webhooks with the default payload (``ticket`` and ``article``).

Signed ``X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw body>`` when the webhook has an
HMAC SHA1 signature token; ``X-Zammad-Delivery`` is the call's id. The payload carries the
ticket as it is after the change but not what it was before, so a state change gives
``resolved``/``closed`` entering such a state and ``updated`` otherwise. A reopening is not
visible in a webhook; pull sync rebuilds these payloads (same ids, same content) and adds
the reopening it reads in the history (``<ticket id>:<updated_at>:reopened``). Event ids: the
ticket id and its ``updated_at``; articles by id.
"""

import hashlib

from .base import BadSignature, Unmappable, compare, event, header, hmac_hex, instant, text_of
from .mapping import TERMINAL, Mapping


def verify(secret, headers, body, now):
    given = header(headers, "X-Hub-Signature")
    if not given:
        raise BadSignature("missing X-Hub-Signature header")
    method, _, digest = given.partition("=")
    if method.strip().lower() != "sha1" or not compare(
            hmac_hex(secret, body, hashlib.sha1), digest.lower()):
        raise BadSignature("X-Hub-Signature does not match the body")


def delivery_key(headers) -> str:
    return header(headers, "X-Zammad-Delivery") or ""


def translate(payload, mapping):
    if not isinstance(payload, dict) or not isinstance(payload.get("ticket"), dict):
        raise Unmappable("ticket: the default Zammad webhook payload is required")
    m = Mapping(mapping)
    ticket = payload["ticket"]
    tid = ticket.get("number") or ticket.get("id")
    if ticket.get("id") in (None, "") or tid in (None, ""):
        raise Unmappable("ticket.id: required")
    state = text_of(ticket.get("state"))
    fields = {"priority": m.priority(text_of(ticket.get("priority"))),
              "team": m.team(text_of(ticket.get("group")))}
    events = []
    created_at, updated_at = ticket.get("created_at"), ticket.get("updated_at")
    if created_at and created_at == updated_at:
        kinds, base = m.created_fields(state)
        events.append(event(f"{ticket['id']}:created", tid,
                            instant(created_at, "ticket.created_at"), kinds[0], **base,
                            **fields))
    else:
        entry = m.entry(state)
        kind = entry["kind"] if entry.get("kind") in TERMINAL else "updated"
        events.append(event(f"{ticket['id']}:{updated_at}", tid,
                            instant(updated_at, "ticket.updated_at"), kind,
                            status=m.status(state), **fields,
                            payload={"paused": bool(entry.get("pause"))}))
    article = payload.get("article")
    if isinstance(article, dict) and article.get("id"):
        events.append(event(f"{ticket['id']}:article:{article['id']}", tid,
                            instant(article.get("created_at"), "article.created_at"),
                            "commented", public=not article.get("internal", False),
                            payload={"sender": text_of(article.get("sender"))}))
    return "trigger", events
