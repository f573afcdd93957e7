"""Audit entries as sentences: "Sarah changed the P1 resolution target from 4 h to 2 h".

One renderer for every history page. It reads an ``AuditEntry`` (who, action, changes,
message) and says what happened in words; apps whose entries need their own knowledge (an
agreement version's targets, say) register a describer for their model with ``register``
from their ``AppConfig.ready``. A describer returns a list of phrases ("changed the P1
resolution target from 4 h to 2 h") or None to fall back to the generic rendering.
Values read as people write them: durations in hours and minutes, instants in UTC,
foreign keys by name.
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime

from .choices import AuditAction

Describer = Callable[["object"], list[str] | None]
DESCRIBERS: dict[str, Describer] = {}
MAX_FIELDS = 4
LABELS = {
    "duration_seconds": "target time", "objective_percent": "objective",
    "warning_thresholds": "warnings", "effective_from": "effective date",
    "effective_to": "end date", "review_due": "review date", "tz": "time zone",
    "always_open": "24x7", "percentage": "target percentage",
}


PREPARERS: dict[str, Callable[[list], None]] = {}


def register(model_label: str, describer: Describer, prepare=None) -> Describer:
    """Use ``describer`` for entries about ``model_label`` ("app_label.model", lower case).
    ``prepare(entries)``, if given, is called once per page with that model's entries before
    they are described (to read related rows in one query and keep them on the entries)."""
    DESCRIBERS[model_label] = describer
    if prepare is not None:
        PREPARERS[model_label] = prepare
    return describer


def label(field: str) -> str:
    return LABELS.get(field, field.replace("_", " "))


def duration(seconds) -> str:
    """4 h, 1 h 30 min, 45 min (business time reads in hours and minutes, never days)."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(p for p in parts if p) or f"{secs} s"


def _instant(text: str) -> str | None:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    if at.tzinfo is None:
        return None
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def value(field: str, raw, names: dict | None = None) -> str:
    """A stored audit value as text: ``names`` maps ids of a foreign key field to names."""
    if raw is None or raw == "" or raw == []:
        return "nothing"
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if names and field in names and raw in names[field]:
        return names[field][raw]
    if field.endswith("_seconds") and isinstance(raw, int | float):
        return duration(raw)
    if field.endswith("percent") or field in ("percentage", "warning_thresholds"):
        if isinstance(raw, list):
            return ", ".join(str(v) for v in raw) + " %"
        return f"{raw} %"
    if isinstance(raw, str):
        shown = _instant(raw) if len(raw) >= 16 and raw[4:5] == "-" else None
        return shown or (raw if len(raw) <= 80 else raw[:77] + "…")
    if isinstance(raw, list) and all(isinstance(v, str | int) for v in raw):
        return ", ".join(str(v) for v in raw) or "nothing"
    text = json.dumps(raw, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= 80 else text[:77] + "…"


def who(entry) -> str:
    user = entry.user
    if user is not None:
        return user.get_full_name() or user.username
    return "The system" if entry.actor in ("", "system") else entry.actor


def _foreign_names(entry, fields) -> dict:
    """{field: {id: name}} for the foreign keys among ``fields`` (one query per field)."""
    model = entry.content_type.model_class()
    names = {}
    for name in fields:
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 (a field that no longer exists)
            continue
        if not (field.is_relation and field.many_to_one):
            continue
        ids = [v for v in entry.changes[name] if isinstance(v, int)]
        rows = field.related_model._default_manager.filter(pk__in=ids)
        names[name] = {row.pk: str(row) for row in rows}
    return names


def change_phrases(entry, changes: dict, thing: str) -> list[str]:
    """"changed the criticality of Web Shop from 1 to 2", or for several fields (in name
    order) "changed Web Shop: criticality from 1 to 2; owner from Oscar to Olga"."""
    pairs = sorted((f, v) for f, v in changes.items() if isinstance(v, list) and len(v) == 2)
    if not pairs:
        return []
    names = _foreign_names(entry, [f for f, _ in pairs]) if entry.content_type_id else {}
    if len(pairs) == 1:
        (f, (old, new)), = pairs
        return [f"changed the {label(f)} of {thing} from {value(f, old, names)} to "
                f"{value(f, new, names)}"]
    parts = [f"{label(f)} from {value(f, old, names)} to {value(f, new, names)}"
             for f, (old, new) in pairs[:MAX_FIELDS]]
    if len(pairs) > MAX_FIELDS:
        parts.append(f"{len(pairs) - MAX_FIELDS} more field(s)")
    return [f"changed {thing}: {'; '.join(parts)}"]


def _thing(entry) -> str:
    kind = entry.content_type.model_class()
    noun = kind._meta.verbose_name if kind is not None else entry.content_type.model
    return f"{noun} “{entry.object_repr}”"


def _generic(entry) -> list[str]:
    thing = _thing(entry)
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    if entry.action == AuditAction.CREATE:
        return [f"created {thing}"]
    if entry.action == AuditAction.DELETE:
        return [f"deleted {thing}"]
    if entry.action == AuditAction.IMPORT:
        return [f"imported into {thing}"]
    if entry.action == AuditAction.APPROVE:
        return [f"approved {thing}"]
    status = changes.get("status") or changes.get("state")
    if entry.action == AuditAction.TRANSITION and isinstance(status, list) and len(status) == 2:
        return [f"moved {thing} from {value('status', status[0]).replace('_', ' ')} to "
                f"{value('status', status[1]).replace('_', ' ')}"]
    return change_phrases(entry, changes, thing) or [f"saved {thing} (nothing changed)"]


def _key(entry) -> str:
    return f"{entry.content_type.app_label}.{entry.content_type.model}"


def sentences(entries) -> list[str]:
    """The sentences of many entries: each describer's ``prepare`` reads what its entries
    need in one go (no query per row)."""
    entries = list(entries)
    by_key: dict[str, list] = {}
    for entry in entries:
        by_key.setdefault(_key(entry), []).append(entry)
    for key, group in by_key.items():
        prepare = PREPARERS.get(key)
        if prepare is not None:
            prepare(group)
    return [sentence(entry) for entry in entries]


def sentence(entry) -> str:
    """What the audit row says, as one sentence."""
    phrases = None
    describer = DESCRIBERS.get(_key(entry))
    if describer is not None:
        phrases = describer(entry)
    if not phrases:
        phrases = _generic(entry)
    body = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return f"{who(entry)} {body}."
