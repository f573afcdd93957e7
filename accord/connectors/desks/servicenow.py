"""ServiceNow: the business rule payload of docs/connectors/servicenow.md.

The rule (after insert/update on incident) posts::

    {"sys_id", "number", "operation": "insert"|"update", "sys_mod_count", "sys_updated_on",
     "changes": {"<field>": {"previous": "<display value>", "current": "<display value>"}},
     "current": {"state", "priority", "assignment_group", "business_service", "company", ...},
     "comment": {"public": true|false, "author": "..."}}    # when a comment/work note came

signed like Accord's own webhooks (``X-Accord-Timestamp``, ``X-Accord-Signature`` = HMAC-SHA256
over ``timestamp.body``, hex or base64 — ServiceNow's GlideCertificateEncryption gives
base64). Event ids are ``<sys_id>:<sys_mod_count>``, the record checkpoint sys_audit
keeps too, so a later pull of sys_audit finds the same ids.
"""

import base64
import hashlib
import hmac

from accord.lib import signing

from .base import BadSignature, Unmappable, compare, event, header, instant, require
from .mapping import Mapping


def verify(secret, headers, body, now):
    stamp = header(headers, signing.TIMESTAMP_HEADER)
    given = header(headers, signing.SIGNATURE_HEADER)
    if not stamp or not given:
        raise BadSignature(f"missing {signing.TIMESTAMP_HEADER} or {signing.SIGNATURE_HEADER}"
                           " header")
    try:
        ts = int(stamp)
    except ValueError:
        raise BadSignature(f"{signing.TIMESTAMP_HEADER} {stamp!r} is not Unix seconds") from None
    if abs(now.timestamp() - ts) > signing.TOLERANCE:
        raise BadSignature(f"timestamp is {now.timestamp() - ts:.0f} s away from now "
                           f"(limit {signing.TOLERANCE} s)")
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).digest()
    if not (compare(digest.hex(), given.lower()) or
            compare(base64.b64encode(digest).decode(), given)):
        raise BadSignature(f"{signing.SIGNATURE_HEADER} does not match the body")


# The incident fields the rule sends and the pull reads from sys_audit.
TRACKED = ("state", "priority", "impact", "urgency", "assignment_group", "assigned_to",
           "business_service", "company")


def delivery_key(headers) -> str:
    return ""


def _fields(values: dict, m: Mapping) -> dict:
    out = {}
    if "priority" in values:
        out["priority"] = m.priority(values["priority"]) or ""
    for name in ("team", "service", "customer", "supplier"):
        desk = m.fields.get(name)
        if desk and desk in values:
            value = values[desk] or ""
            out[name] = m.team(value) if name == "team" else value
    for name in ("impact", "urgency"):
        if name in values:
            out[name] = values[name] or ""
    return out


def translate(payload, mapping):
    if not isinstance(payload, dict):
        raise Unmappable("body: expected the Accord business rule's object")
    m = Mapping(mapping)
    sys_id = require(payload, "sys_id", "body")
    number = require(payload, "number", "body")
    count = require(payload, "sys_mod_count", "body")
    at = instant(require(payload, "sys_updated_on", "body"), "sys_updated_on")
    current = payload.get("current") if isinstance(payload.get("current"), dict) else {}
    changes = payload.get("changes") if isinstance(payload.get("changes"), dict) else {}
    events = []
    if payload.get("operation") == "insert":
        kinds, base = m.created_fields(current.get("state"))
        extra = {k: v for k, v in _fields(current, m).items() if v != ""}
        events.append(event(f"{sys_id}:created", number, at, kinds[0], **base, **extra))
    else:
        values = {k: (v or {}).get("current") for k, v in changes.items() if isinstance(v, dict)}
        kind, fields, payload_out = "updated", _fields(values, m), {}
        if "state" in changes and isinstance(changes["state"], dict):
            kind, moved = m.transition(changes["state"].get("previous"),
                                       changes["state"].get("current"))
            payload_out = moved.pop("payload")
            fields.update(moved)
        if "assigned_to" in values:
            payload_out["assigned_to"] = values["assigned_to"] or None
        if fields or payload_out:
            events.append(event(f"{sys_id}:{count}", number, at, kind, **fields,
                                payload=payload_out))
    comment = payload.get("comment")
    if isinstance(comment, dict):
        events.append(event(f"{sys_id}:{count}:comment", number, at, "commented",
                            public=bool(comment.get("public", m.comments_public)),
                            payload={"author": comment.get("author")}
                            if comment.get("author") else None))
    return payload.get("operation") or "update", events
