"""Normalized events (one object or a list), signed as Accord signs its own webhooks."""

from accord.lib import signing

from .base import Unmappable, header


def verify(secret, headers, body, now):
    signing.verify(secret, body, header(headers, signing.TIMESTAMP_HEADER),
                   header(headers, signing.SIGNATURE_HEADER), now)


def delivery_key(headers) -> str:
    return ""


def translate(payload, mapping):
    items = payload if isinstance(payload, list) else [payload]
    if not items or not all(isinstance(i, dict) for i in items):
        raise Unmappable("body: send one event (an object) or a list of events")
    return "events", [dict(i) for i in items]
