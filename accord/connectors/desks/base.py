"""What every desk module shares: signature checks, timestamps, and event building.

A desk module offers ``verify(secret, headers, body, now)`` (raises ``BadSignature``),
``delivery_key(headers)`` (the desk's own id of the call, or "") and ``translate(payload,
mapping)`` -> (the desk's event name, normalized event dicts without a source). ``translate``
raises ``Unmappable`` for a payload it cannot read; it never reads the clock or the database,
so the same payload always gives the same events.
"""

import base64
import email.utils
import hashlib
import hmac
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accord.lib.signing import BadSignature

from .mapping import Unmappable

__all__ = ["BadSignature", "Unmappable", "compare", "hmac_hex", "hmac_b64", "header",
           "instant", "event", "require", "text_of"]


def header(headers, name: str) -> str | None:
    """A header's value, whatever the case of its name (Django's request.headers or a dict)."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, val in headers.items():
            if key.lower() == lowered:
                return val
    return value


def compare(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.strip().encode())


def hmac_hex(secret: str, message: bytes, algorithm=hashlib.sha256) -> str:
    return hmac.new(secret.encode(), message, algorithm).hexdigest()


def hmac_b64(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def check_age(at: datetime, now: datetime, tolerance: int) -> None:
    age = now.timestamp() - at.timestamp()
    if abs(age) > tolerance:
        raise BadSignature(f"timestamp is {age:.0f} s away from now (limit {tolerance} s)")


def instant(value, where: str, tz: str | None = None) -> str:
    """An ISO 8601 instant with its offset from a desk's timestamp: ISO (Jira's +0000 too),
    Unix milliseconds, "YYYY-MM-DD HH:MM:SS" (UTC unless the mapping names a ``timezone``)
    or an RFC 2822 date."""
    if isinstance(value, bool) or value in (None, ""):
        raise Unmappable(f"{where}: a timestamp is required")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC).isoformat()
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if len(text) > 10 else text)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise Unmappable(f"{where}: {text!r} is not a timestamp") from None
    if parsed.tzinfo is None:
        try:
            parsed = parsed.replace(tzinfo=ZoneInfo(tz) if tz else UTC)
        except (ZoneInfoNotFoundError, ValueError):
            raise Unmappable(f"mapping.timezone: {tz!r} is not an IANA time zone") from None
    return parsed.astimezone(UTC).isoformat()


def require(obj, key: str, where: str):
    value = obj.get(key) if isinstance(obj, dict) else None
    if value in (None, ""):
        raise Unmappable(f"{where}.{key}: required")
    return value


def text_of(value) -> str | None:
    """Text from a desk field value: text, a number, {name|value|title|displayName}, or the
    first of a list of those."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        for key in ("name", "value", "title", "displayName"):
            if value.get(key) not in (None, ""):
                return str(value[key])
        return None
    if value in (None, ""):
        return None
    return str(value)


def event(event_id: str, ticket_id, timestamp: str, kind: str, **fields) -> dict:
    """A normalized event dict; fields left None are left out (the ticket keeps its value)."""
    item = {"event_id": str(event_id)[:128], "ticket_id": str(ticket_id),
            "timestamp": timestamp, "kind": kind}
    item.update((k, v) for k, v in fields.items() if v is not None and k != "payload")
    if fields.get("payload"):
        item["payload"] = fields["payload"]
    return item
