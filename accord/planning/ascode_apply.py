"""Validating, diffing and applying an agreement file (see ``ascode``).

``validate(data)`` checks the file against the JSON Schema and then against the catalogue
(names that must exist, durations, the target rules of ``agreements.validation``) and
returns every error as ``"targets[2].duration: ..."``; it writes nothing. ``apply`` creates
the agreement (when its reference is unknown) or a draft version of it (or updates its draft)
— never a signed version. ``diff`` lists what ``apply`` would change.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from jsonschema import Draft202012Validator

from accord.agreements import services, versions
from accord.agreements.models import Agreement
from accord.agreements.validation import clean_target
from accord.catalogue.models import Calendar, Customer, Service, Supplier, Team
from accord.lib.errors import DomainError, InvalidInput
from accord.reporting.queries import REFERENCE

from .ascode import (
    CONDITIONS,
    _num,
    day_seconds,
    export_version,
    format_duration,
    parse_duration,
    schema,
)

IGNORED = ("reference", "version", "status", "escalation_policy")
FIELD_PATHS = {"duration_seconds": "duration", "ticket_type": "type",
               "credit_amount": "credits.amount", "credit_currency": "credits.currency",
               "credit_percent": "credits.percent", "credit_basis": "credits.basis",
               **{f"{c}_condition": f"conditions.{c}" for c in CONDITIONS}}


def _path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def find_agreement(reference: str | None):
    if not reference or not (m := REFERENCE.fullmatch(str(reference).strip())):
        return None
    return Agreement.objects.filter(pk=int(m[2]), kind=m[1].lower()).first()


class _Plan:
    def __init__(self):
        self.errors: list[str] = []
        self.header: dict = {}
        self.version: dict = {}
        self.targets: list[dict] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")


def _named(plan, model, name, path):
    if name in (None, ""):
        return None
    found = model.objects.filter(name=name).first()
    if found is None:
        plan.error(path, f"no {model._meta.verbose_name} named {name!r}")
    return found


def _instant(plan, value, path):
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        plan.error(path, f"{value!r} is not an ISO 8601 instant")
        return None
    if parsed.tzinfo is None:
        plan.error(path, f"{value!r} has no time zone offset")
        return None
    return parsed


def validate(data: dict) -> _Plan:
    """Every error of the file (``plan.errors``), and what applying it means."""
    plan = _Plan()
    for err in sorted(Draft202012Validator(schema()).iter_errors(data),
                      key=lambda e: list(map(str, e.absolute_path))):
        plan.error(_path(err.absolute_path), err.message)
    if plan.errors:
        return plan
    h = plan.header
    h.update(kind=data["kind"], structure=data.get("structure") or "", name=data["name"],
             description=data.get("description") or "",
             monthly_charge=data.get("monthly_charge"), currency=data.get("currency") or "",
             credit_cap_percent=data.get("credit_cap_percent"),
             reporting_time_zone=data.get("reporting_time_zone") or "")
    h["customer"] = _named(plan, Customer, data.get("customer"), "customer")
    h["team"] = _named(plan, Team, data.get("team"), "team")
    h["supplier"] = _named(plan, Supplier, data.get("supplier"), "supplier")
    h["calendar"] = _named(plan, Calendar, data.get("calendar"), "calendar")
    h["services"] = [s for i, name in enumerate(data.get("services") or [])
                     if (s := _named(plan, Service, name, f"services[{i}]")) is not None]
    h["parent"] = None
    if data.get("parent"):
        h["parent"] = find_agreement(data["parent"])
        if h["parent"] is None:
            plan.error("parent", f"no agreement {data['parent']!r}")
    h["underpins"] = []
    for i, ref in enumerate(data.get("underpins") or []):
        found = find_agreement(ref)
        if found is None:
            plan.error(f"underpins[{i}]", f"no agreement {ref!r}")
        else:
            h["underpins"].append(found)
    plan.version = {"text": data.get("text") or ""}
    for name in ("effective_from", "effective_to", "review_due"):
        plan.version[name] = _instant(plan, data.get(name), name)
    for i, item in enumerate(data.get("targets") or []):
        _target(plan, i, item, h["calendar"])
    return plan


def _target(plan, i, item, agreement_calendar):
    where = f"targets[{i}]"
    calendar = _named(plan, Calendar, item.get("calendar"), f"{where}.calendar")
    service = _named(plan, Service, item.get("service"), f"{where}.service")
    values = {"name": item.get("name") or "", "metric": item["metric"],
              "ticket_type": item.get("type") or "", "priority": item.get("priority") or "",
              "percentage": item.get("percentage"),
              "objective_percent": item.get("objective_percent"),
              "period": item.get("period") or "month", "reopen_policy":
              item.get("reopen_policy") or "new_cycle"}
    if item.get("warning_thresholds") is not None:
        values["warning_thresholds"] = item["warning_thresholds"]
    for name in CONDITIONS:
        values[f"{name}_condition"] = (item.get("conditions") or {}).get(name)
    credits = item.get("credits") or {}
    values.update(credit_amount=credits.get("amount"),
                  credit_currency=credits.get("currency") or "",
                  credit_percent=credits.get("percent"),
                  credit_basis=credits.get("basis") or "per_missed_objective")
    values["duration_seconds"] = None
    if item.get("duration") not in (None, ""):
        try:
            values["duration_seconds"] = parse_duration(
                item["duration"], day_seconds(calendar or agreement_calendar))
        except ValueError as exc:
            plan.error(f"{where}.duration", str(exc))
            return
    try:
        clean_target(dict(values))
    except InvalidInput as exc:
        field = exc.field or ""
        plan.error(f"{where}.{FIELD_PATHS.get(field, field)}", exc.message)
        return
    plan.targets.append({**values, "service": service, "calendar": calendar})


def normalised(data: dict) -> dict:
    """The file as ``export`` would write it (defaults filled, durations canonical), for
    ``diff``; call after ``validate`` found no errors."""
    plan = validate(data)
    out = {k: data.get(k) for k in schema()["properties"] if k not in IGNORED}
    out["structure"] = data.get("structure") or ""
    for k in ("description", "currency", "reporting_time_zone", "text"):
        out[k] = data.get(k) or ""
    for k in ("monthly_charge", "credit_cap_percent"):
        out[k] = _num(Decimal(str(data[k]))) if data.get(k) is not None else None
    out["services"] = sorted(data.get("services") or [])
    out["underpins"] = sorted(data.get("underpins") or [])
    for k in ("effective_from", "effective_to", "review_due"):
        out[k] = plan.version[k].isoformat() if plan.version.get(k) else None
    out["targets"] = []
    for t, item in zip(plan.targets, data.get("targets") or [], strict=False):
        out["targets"].append({
            "name": t["name"], "metric": t["metric"], "service": item.get("service"),
            "type": t["ticket_type"], "priority": t["priority"],
            "calendar": item.get("calendar"), "duration": format_duration(t["duration_seconds"]),
            "percentage": _num(Decimal(str(t["percentage"]))) if t["percentage"] is not None
            else None,
            "objective_percent": _num(Decimal(str(t["objective_percent"])))
            if t["objective_percent"] is not None else None,
            "period": t["period"], "warning_thresholds": list(
                t.get("warning_thresholds", [50, 75, 90])),
            "conditions": {c: t[f"{c}_condition"] for c in CONDITIONS
                           if t[f"{c}_condition"] is not None},
            "reopen_policy": t["reopen_policy"],
            "credits": {"amount": _num(Decimal(str(t["credit_amount"])))
                        if t["credit_amount"] is not None else None,
                        "currency": t["credit_currency"],
                        "percent": _num(Decimal(str(t["credit_percent"])))
                        if t["credit_percent"] is not None else None,
                        "basis": t["credit_basis"]}})
    return out


def _changes(old, new, path="") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        lines = []
        for key in list(dict.fromkeys([*old, *new])):
            lines += _changes(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        return lines
    if isinstance(old, list) and isinstance(new, list) and path == "targets":
        lines = []
        for i in range(max(len(old), len(new))):
            here = f"{path}[{i}]"
            if i >= len(old):
                lines.append(f"{here}: added ({new[i]['metric']})")
            elif i >= len(new):
                lines.append(f"{here}: removed ({old[i]['metric']})")
            else:
                lines += _changes(old[i], new[i], here)
        return lines
    return [] if old == new else [f"{path}: {old!r} → {new!r}"]


def diff(data: dict) -> list[str]:
    """What ``apply`` would change, one line per field ("targets[2].duration: '4h' → '2h'")."""
    agreement = find_agreement(data.get("reference"))
    if agreement is None:
        return [f"new agreement {data.get('name')!r} ({data.get('kind')}) with "
                f"{len(data.get('targets') or [])} target(s)"]
    current = agreement.draft_version() or agreement.latest_version()
    old = {k: v for k, v in export_version(current).items() if k not in IGNORED}
    return _changes(old, normalised(data))


@transaction.atomic
def apply(data: dict, *, by, now):
    """Create or update a draft from the file; returns the draft version. InvalidInput (the
    first error, its path as the field) if the file does not validate."""
    plan = validate(data)
    if plan.errors:
        path, _, message = plan.errors[0].partition(": ")
        raise InvalidInput(message, path)
    header = dict(plan.header)
    agreement = find_agreement(data.get("reference"))
    if agreement is not None and agreement.kind != header["kind"]:
        agreement = None
    if agreement is None:
        agreement = services.create_agreement(by=by, now=now, **header, **plan.version)
        draft = agreement.draft_version()
    else:
        if agreement.has_signed_version():
            for name in services.STRUCTURAL:
                header.pop(name, None)
        services.update_agreement(agreement, by=by, now=now, **header)
        draft = agreement.draft_version() or versions.new_draft_version(agreement, by=by,
                                                                        now=now)
        versions.update_version(draft, by=by, now=now, **plan.version)
    for target in list(draft.targets.all()):
        versions.delete_target(target, by=by, now=now)
    for i, values in enumerate(plan.targets):
        try:
            versions.add_target(draft, by=by, now=now, position=i, **values)
        except DomainError as exc:
            field = exc.field or ""
            raise InvalidInput(exc.message,
                               f"targets[{i}].{FIELD_PATHS.get(field, field)}") from None
    draft.refresh_from_db()
    return draft
