"""How audit rows about agreement versions read (registered with accounts' renderer):
"Sarah changed the P1 resolution target from 4 h to 2 h", "Sam added the P2 response
target (1 h) to SLA-0003 v2", "Sam approved SLA-0003 v2 as provider"."""

import re

from accord.accounts import sentences
from accord.catalogue.models import Service

from .choices import Metric
from .models import Target

TARGET_MESSAGE = re.compile(r"target #(\d+) ")


def _metric(metric: str) -> str:
    label = Metric(metric).label if metric in Metric.values else metric
    return label.lower().removesuffix(" time")


def target_phrase(data: dict, services: dict) -> str:
    scope = [services.get(data.get("service"), ""), data.get("ticket_type") or "",
             data.get("priority") or ""]
    words = " ".join(w for w in scope if w)
    return f"the {words + ' ' if words else ''}{_metric(data.get('metric', ''))} target"


def _service_names(*datas) -> dict:
    ids = {d.get("service") for d in datas if isinstance(d, dict) and d.get("service")}
    return dict(Service.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def _threshold(data: dict) -> str:
    if data.get("duration_seconds"):
        return sentences.duration(data["duration_seconds"])
    return f"{data['percentage']} %" if data.get("percentage") else ""


def describe_version(entry) -> list[str] | None:
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    version = entry.object_repr
    target = changes.get("target")
    if isinstance(target, list) and len(target) == 2:
        old, new = target
        data = new or old or {}
        phrase = target_phrase(data, _service_names(data))
        if old is None:
            size = _threshold(data)
            return [f"added {phrase}{f' ({size})' if size else ''} to {version}"]
        if new is None:
            return [f"removed {phrase} from {version}"]
    fields = {k.removeprefix("target."): v for k, v in changes.items()
              if k.startswith("target.")}
    if fields:
        if not hasattr(entry, "_target"):
            prepare_versions([entry])
        data = dict(entry._target or {})
        for key in ("metric", "service", "ticket_type", "priority"):  # its old scope
            if key in fields:
                data[key] = fields[key][0]
        phrase = target_phrase(data, _service_names(data)) if data else "a target"
        phrases = []
        for name, (old, new) in sorted(fields.items())[:sentences.MAX_FIELDS]:
            what = phrase if name == "duration_seconds" else f"{phrase}’s {sentences.label(name)}"
            phrases.append(f"changed {what} from {sentences.value(name, old)} to "
                           f"{sentences.value(name, new)}")
        return phrases
    approval = changes.get("approval")
    if isinstance(approval, list) and len(approval) == 2 and isinstance(approval[1], dict):
        party, signatory = approval[1].get("party", ""), approval[1].get("signatory", "")
        on_behalf = signatory and signatory != sentences.who(entry)
        return [f"approved {version} as {party}"
                + (f" (signed by {signatory})" if on_behalf else "")]
    return None


def _target_id(entry) -> int | None:
    match = TARGET_MESSAGE.match(entry.message or "")
    return int(match[1]) if match else None


def prepare_versions(entries) -> None:
    """Read the targets the entries name in one query; each entry keeps its own
    (``entry._target``: its scope fields, or None when it is gone)."""
    ids = {_target_id(e) for e in entries} - {None}
    rows = {row["pk"]: row for row in Target.objects.filter(pk__in=ids).values(
        "pk", "metric", "service", "ticket_type", "priority")} if ids else {}
    for entry in entries:
        row = rows.get(_target_id(entry))
        entry._target = {k: v for k, v in row.items() if k != "pk"} if row else None


def describe_agreement(entry) -> list[str] | None:
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    matrix = changes.get("priority_matrix")
    if isinstance(matrix, list) and len(matrix) == 2:
        before, after = (len(m or []) for m in matrix)
        return [f"set the priority matrix of {entry.object_repr} ({before} → {after} cells)"]
    return None


def register() -> None:
    sentences.register("agreements.agreementversion", describe_version, prepare_versions)
    sentences.register("agreements.agreement", describe_agreement)
