"""HMAC-SHA256 signatures for outbound webhooks, and the check a receiver runs.

The signature is the hex HMAC-SHA256, keyed with the endpoint's secret, over
``f"{timestamp}.{body}"`` where ``timestamp`` is Unix seconds (the X-Accord-Timestamp header).
Signing the timestamp lets a receiver refuse replays older than a few minutes.
"""

import hashlib
import hmac
from datetime import datetime

TIMESTAMP_HEADER = "X-Accord-Timestamp"
SIGNATURE_HEADER = "X-Accord-Signature"
TOLERANCE = 300  # seconds a receiver accepts between the timestamp and its own clock


class BadSignature(ValueError):
    pass


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(int(timestamp)).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_headers(secret: str, body: bytes, at: datetime) -> dict[str, str]:
    """The two headers for a request sent at ``at`` (an aware datetime)."""
    if at.tzinfo is None:
        raise ValueError(f"naive datetime {at.isoformat()}: pass an aware instant")
    timestamp = int(at.timestamp())
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(secret, timestamp, body)}


def verify(
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: datetime,
    tolerance: int = TOLERANCE,
) -> None:
    """Raise BadSignature unless ``signature`` signs ``body`` at ``timestamp`` and the
    timestamp lies within ``tolerance`` seconds of ``now``."""
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now.isoformat()}: pass an aware instant")
    if not timestamp or not signature:
        raise BadSignature(f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER} header")
    try:
        ts = int(timestamp)
    except ValueError:
        raise BadSignature(f"{TIMESTAMP_HEADER} {timestamp!r} is not Unix seconds") from None
    age = now.timestamp() - ts
    if abs(age) > tolerance:
        raise BadSignature(f"timestamp is {age:.0f} s away from now (limit {tolerance} s)")
    if not hmac.compare_digest(sign(secret, ts, body), signature.strip().lower()):
        raise BadSignature("signature does not match the body")
