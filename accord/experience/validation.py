"""One feedback item checked field by field; every error names its field."""

import hashlib
import json
from datetime import datetime

from accord.lib.errors import InvalidInput

from .choices import SCALES, FeedbackKind

FIELDS = ("source", "id", "ticket_id", "ticket_source", "service", "customer", "timestamp",
          "kind", "score", "scale", "text", "respondent", "channel")
LIMITS = {"source": 64, "id": 128, "ticket_id": 128, "ticket_source": 64, "service": 150,
          "customer": 150, "respondent": 254, "channel": 64, "text": 10000}


def _text(item: dict, name: str, required: bool = False) -> str:
    value = item.get(name)
    if value is None:
        value = ""
    if isinstance(value, int | float) and not isinstance(value, bool) and name in (
            "id", "ticket_id"):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text, got {value!r}", name)
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{name} is required", name)
    if len(value) > LIMITS[name]:
        raise InvalidInput(f"{name} is longer than {LIMITS[name]} characters", name)
    return value


def _whole(item: dict, name: str) -> int | None:
    value = item.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise InvalidInput(f"{name} must be a whole number, got {item[name]!r}",
                               name) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise InvalidInput(f"{name} must be a whole number, got {item[name]!r}", name)
    return int(value)


def clean_feedback(item, default_source: str = "") -> dict:
    """The validated fields of one feedback item in its JSON (or CSV) shape: names as sent,
    the instant aware, the score checked against its scale."""
    if not isinstance(item, dict):
        raise InvalidInput("each feedback item must be a JSON object", None)
    unknown = sorted(set(item) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not a feedback field", unknown[0])
    out = {name: _text(item, name) for name in LIMITS}
    out["source"] = out["source"] or default_source
    if not out["source"]:
        raise InvalidInput("source is required", "source")
    if not out["id"]:
        raise InvalidInput("id is required", "id")
    stamp = item.get("timestamp")
    if stamp in (None, ""):
        raise InvalidInput("timestamp is required", "timestamp")
    if isinstance(stamp, str):
        try:
            stamp = datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(f"timestamp must be ISO 8601 with an offset, got {stamp!r}",
                               "timestamp") from None
    if not isinstance(stamp, datetime) or stamp.utcoffset() is None:
        raise InvalidInput(f"timestamp must be ISO 8601 with an offset, got {item['timestamp']!r}",
                           "timestamp")
    out["timestamp"] = stamp
    kind = item.get("kind")
    if kind in (None, ""):
        raise InvalidInput("kind is required", "kind")
    if kind not in FeedbackKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(FeedbackKind.values)}, got {kind!r}",
                           "kind")
    out["kind"] = kind
    score, scale = _whole(item, "score"), _whole(item, "scale")
    if kind in SCALES:
        bottom, default_top = SCALES[kind]
        if scale is None:
            scale = default_top
        if scale <= bottom:
            raise InvalidInput(f"scale must be above {bottom} for {kind}, got {scale}", "scale")
        if score is None:
            raise InvalidInput(f"score is required for {kind} feedback", "score")
        if not bottom <= score <= scale:
            raise InvalidInput(f"score {score} is outside the {kind} scale {bottom}-{scale}",
                               "score")
    else:
        if score is not None and scale is None:
            raise InvalidInput(f"a score on {kind} feedback needs its scale", "scale")
        if score is not None and not 0 <= score <= scale:
            raise InvalidInput(f"score {score} is outside the scale 0-{scale}", "score")
    out["score"], out["scale"] = score, scale
    if out["ticket_id"] and not out["ticket_source"]:
        out["ticket_source"] = out["source"]
    return out


def content_hash(clean: dict) -> str:
    """The hash of an item's content: two items with the same id and hash are duplicates."""
    data = {k: v for k, v in clean.items()}
    data["timestamp"] = clean["timestamp"].timestamp()
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
