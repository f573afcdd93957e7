"""Signing as each desk signs, and the sample payload of the "send test event" check.

``sign(kind, secret, body, at)`` gives the headers the desk would send; tests and the
benchmark use it too. ``send_test`` signs the kind's sample with the connector's secret, runs
it through verification and the mapping, and records a test delivery; nothing is stored.
"""

import base64
import hashlib
import hmac
import json
from datetime import datetime

from accord.clock.events import Event
from accord.lib import signing

from .choices import DeliveryChannel, DeliveryOutcome
from .desks import DESKS, Unmappable
from .desks.base import BadSignature
from .desks.template import TOKEN_HEADER


def sign(kind: str, secret: str, body: bytes, at: datetime) -> dict[str, str]:
    if kind == "jira":
        return {"X-Hub-Signature": "sha256=" + hmac.new(secret.encode(), body,
                                                        hashlib.sha256).hexdigest()}
    if kind == "zammad":
        return {"X-Hub-Signature": "sha1=" + hmac.new(secret.encode(), body,
                                                      hashlib.sha1).hexdigest()}
    if kind == "zendesk":
        stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ") if at.utcoffset().total_seconds() == 0 \
            else at.isoformat()
        digest = hmac.new(secret.encode(), stamp.encode() + body, hashlib.sha256).digest()
        return {"X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
                "X-Zendesk-Webhook-Signature-Timestamp": stamp}
    if kind == "glpi":
        stamp = str(int(at.timestamp()))
        return {"X-GLPI-signature": hmac.new(secret.encode(), body + stamp.encode(),
                                             hashlib.sha256).hexdigest(),
                "X-GLPI-timestamp": stamp}
    if kind == "freshservice":
        return {TOKEN_HEADER: secret}
    return signing.signature_headers(secret, body, at)  # generic, servicenow


def sample(kind: str, at: datetime) -> dict | list:
    stamp = at.isoformat()
    if kind == "jira":
        return {"timestamp": int(at.timestamp() * 1000), "webhookEvent": "jira:issue_created",
                "issue": {"id": "0", "key": "ACCORD-TEST", "fields": {
                    "created": stamp, "updated": stamp, "status": {"name": "Open"},
                    "priority": {"name": "Medium"}, "summary": "Accord test event"}}}
    if kind == "zendesk":
        return {"type": "zen:event-type:ticket.created", "id": "accord-test",
                "time": stamp, "subject": "zen:ticket:0",
                "detail": {"id": "0", "status": "NEW", "priority": "NORMAL",
                           "created_at": stamp, "updated_at": stamp}, "event": {}}
    if kind == "zammad":
        return {"ticket": {"id": 0, "number": "ACCORD-TEST", "state": "new",
                           "priority": "2 normal", "created_at": stamp, "updated_at": stamp}}
    if kind == "servicenow":
        return {"sys_id": "accord-test", "number": "ACCORD-TEST", "operation": "insert",
                "sys_mod_count": 0, "sys_updated_on": stamp, "current": {"state": "New"}}
    if kind == "glpi":
        return {"event": "new", "ticket_id": "ACCORD-TEST", "at": stamp, "status": "1",
                "priority": "3", "group": ""}
    if kind == "freshservice":
        return {"event": "created", "ticket_id": "ACCORD-TEST", "at": stamp, "status": "New"}
    return {"ticket_id": "ACCORD-TEST", "timestamp": stamp, "kind": "created"}


def send_test(connector, *, now: datetime) -> dict:
    from . import services  # services imports this module's neighbours; keep the cycle lazy

    desk = DESKS[connector.kind]
    body = json.dumps(sample(connector.kind, now)).encode()
    headers = sign(connector.kind, connector.secret, body, now)
    events, ok = [], False
    try:
        desk.verify(connector.secret, headers, body, now)
        _, items = desk.translate(json.loads(body), connector.mapping)
        for item in items:
            item["source"] = connector.source
            events.append(Event.from_dict(item).to_dict())
        ok, message = True, (f"signature verified; the mapping turns the sample into "
                             f"{len(events)} event(s) (not stored)")
    except BadSignature as exc:
        message = f"signature refused: {exc}"
    except (Unmappable, ValueError) as exc:
        message = f"the mapping could not read the sample: {exc}"
    services.record_test(connector, now, DeliveryOutcome.ACCEPTED if ok
                         else DeliveryOutcome.REFUSED, message, len(body))
    return {"ok": ok, "message": message, "events": events}


__all__ = ["sign", "sample", "send_test", "DeliveryChannel"]
