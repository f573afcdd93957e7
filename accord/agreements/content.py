"""A version's content as plain data: what is signed, hashed, snapshotted and compared."""

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal

from accord.lib.errors import InvalidInput

from .models import EXPERIENCE_FIELDS, AgreementVersion, Target

VERSION_FIELDS = ("text", "change_summary", "effective_from", "effective_to", "review_due")
TARGET_CONTENT = (
    "name", "metric", "service", "ticket_type", "priority", "calendar", "duration_seconds",
    "percentage", "objective_percent", "period", "warning_thresholds", "start_condition",
    "pause_condition", "stop_condition", "reset_condition", "cancel_condition",
    "reopen_policy", "credit_amount", "credit_currency", "credit_percent", "credit_basis",
)


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def target_dict(target: Target) -> dict:
    """The target's terms (foreign keys as ids, numbers as exact text). Experience targets
    add their measure, threshold, direction and min_responses (other targets' content, and
    so the hashes already signed, stay as they were)."""
    data = {}
    names = TARGET_CONTENT + (EXPERIENCE_FIELDS if target.metric == "experience" else ())
    for name in names:
        field = Target._meta.get_field(name)
        data[name] = _plain(getattr(target, field.attname))
    return data


def target_key(data: dict) -> tuple:
    return (data["metric"], data["service"], data["ticket_type"], data["priority"])


def content_of(version: AgreementVersion) -> dict:
    """Text, dates and targets of ``version`` as read from the database now."""
    data = {name: _plain(getattr(version, name)) for name in VERSION_FIELDS}
    data["targets"] = [target_dict(t) for t in version.targets.order_by("position", "id")]
    return data


def content_hash(content: dict) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def signed_content(version: AgreementVersion) -> dict:
    """The frozen snapshot of an agreed version; the live content of a draft."""
    return version.content if version.is_frozen and version.content else content_of(version)


def compare_versions(a: AgreementVersion, b: AgreementVersion) -> dict:
    """What changed from ``a`` to ``b``: version fields, and targets added, removed or changed
    field by field (targets are matched by metric + scope)."""
    if a.agreement_id != b.agreement_id:
        raise InvalidInput("both versions must belong to the same agreement", field="b")
    a, b = (AgreementVersion.objects.get(pk=v.pk) for v in (a, b))  # as stored, not as cached
    return {"agreement": a.agreement_id, "a": a.number, "b": b.number,
            **diff_contents(signed_content(a), signed_content(b))}


def diff_contents(before: dict, after: dict) -> dict:
    """The differences between two version contents (see ``content_of``)."""
    fields = {
        name: [before.get(name), after.get(name)]
        for name in VERSION_FIELDS
        if before.get(name) != after.get(name)
    }
    old = {target_key(t): t for t in before["targets"]}
    new = {target_key(t): t for t in after["targets"]}
    changed = []
    for key in [k for k in new if k in old]:
        diff = {
            name: [old[key].get(name), new[key].get(name)]
            for name in TARGET_CONTENT
            if old[key].get(name) != new[key].get(name)
        }
        if diff:
            changed.append({"key": _key_dict(key), "name": new[key]["name"], "fields": diff})
    return {
        "fields": fields,
        "targets": {
            "added": [new[k] for k in new if k not in old],
            "removed": [old[k] for k in old if k not in new],
            "changed": changed,
        },
    }


def _key_dict(key: tuple) -> dict:
    return dict(zip(("metric", "service", "ticket_type", "priority"), key, strict=True))
