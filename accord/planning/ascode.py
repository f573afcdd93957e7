"""Agreements as code: one agreement version as YAML, its JSON Schema, and parsing.

The file (``export``) names everything by name — parties, services, calendars, the parent
and underpinned agreements by reference — so it applies to any database with the same
catalogue. ``reference``, ``version`` and ``status`` say where it came from; ``apply`` uses
``reference`` to find the agreement (a new one is created when it is absent) and ignores the
other two. Durations are business time: ``"4h"``, ``"90m"``, ``"2d"`` (days of the target's
calendar: the length of its longest working day; 24 h when 24x7 or none) or ISO 8601
(``PT4H``, ``P1DT2H`` with days of 24 h). Export writes hours or minutes when whole, else
ISO 8601.
"""

import re
from decimal import Decimal

import yaml

from accord.agreements.choices import (
    AgreementKind,
    CreditBasis,
    Metric,
    Period,
    ReopenPolicy,
    Structure,
)
from accord.agreements.models import CONDITION_FIELDS

CONDITIONS = tuple(name.removesuffix("_condition") for name in CONDITION_FIELDS)
_SHORT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dhm])\s*$")
_ISO = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?"
                  r"(?:(\d+(?:\.\d+)?)S)?)?$")
_NUMBER = {"type": ["string", "number", "null"], "pattern": r"^-?\d+(\.\d+)?$"}
_TEXT = {"type": ["string", "null"]}
_NAMES = {"type": "array", "items": {"type": "string"}}


def schema() -> dict:
    """The JSON Schema of an agreement file (draft 2020-12)."""
    target = {
        "type": "object", "additionalProperties": False, "required": ["metric"],
        "properties": {
            "name": _TEXT, "metric": {"enum": list(Metric.values)},
            "service": _TEXT, "type": _TEXT, "priority": _TEXT, "calendar": _TEXT,
            "duration": {"type": ["string", "null"],
                         "description": '"4h", "90m", "2d" (calendar days) or ISO 8601 PT4H'},
            "percentage": _NUMBER, "objective_percent": _NUMBER,
            "period": {"enum": list(Period.values)},
            "warning_thresholds": {"type": "array", "items": {"type": "number"}},
            "conditions": {"type": "object", "additionalProperties": False,
                           "properties": {c: {"type": ["object", "null"]} for c in CONDITIONS}},
            "reopen_policy": {"enum": list(ReopenPolicy.values)},
            "credits": {"type": "object", "additionalProperties": False, "properties": {
                "amount": _NUMBER, "currency": _TEXT, "percent": _NUMBER,
                "basis": {"enum": list(CreditBasis.values)}}},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://accord.example/schemas/agreement.json",
        "title": "Accord agreement version",
        "type": "object", "additionalProperties": False, "required": ["kind", "name", "targets"],
        "properties": {
            "reference": _TEXT, "version": {"type": ["integer", "null"]}, "status": _TEXT,
            "kind": {"enum": list(AgreementKind.values)},
            "structure": {"enum": ["", *Structure.values]},
            "name": {"type": "string", "minLength": 1}, "description": _TEXT,
            "customer": _TEXT, "team": _TEXT, "supplier": _TEXT, "parent": _TEXT,
            "services": _NAMES, "underpins": _NAMES, "calendar": _TEXT,
            "monthly_charge": _NUMBER, "currency": _TEXT, "credit_cap_percent": _NUMBER,
            "reporting_time_zone": _TEXT, "text": _TEXT,
            "effective_from": _TEXT, "effective_to": _TEXT, "review_due": _TEXT,
            "escalation_policy": {"type": ["string", "null"],
                                  "description": "informational: policies are edited in Accord"},
            "targets": {"type": "array", "items": target},
        },
    }


def day_seconds(calendar) -> int:
    """The length of a day of ``calendar`` ("2d"): its longest working day; 24 h if 24x7."""
    if calendar is None or calendar.always_open or not calendar.hours:
        return 86400
    longest = 0
    for spans in calendar.hours.values():
        total = 0
        for start, end in spans:
            h1, m1 = map(int, start.split(":"))
            h2, m2 = map(int, end.split(":"))
            total += (h2 * 60 + m2 - h1 * 60 - m1) * 60
        longest = max(longest, total)
    return longest or 86400


def parse_duration(value, day: int) -> int:
    """Business seconds of "4h", "90m", "2d" or ISO 8601 "PT4H"; ValueError otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError('write a duration like "4h", "90m", "2d" or "PT4H" (a bare number '
                         "has no unit)")
    text = str(value or "").strip()
    if m := _SHORT.match(text):
        amount = Decimal(m[1]) * {"d": day, "h": 3600, "m": 60}[m[2]]
    elif text.upper().startswith("P") and (m := _ISO.match(text.upper())) and text != "P":
        days, hours, minutes, seconds = (Decimal(x) if x else Decimal(0) for x in m.groups())
        if not any(m.groups()):
            raise ValueError(f"{text!r} has no amount")
        amount = days * 86400 + hours * 3600 + minutes * 60 + seconds
    else:
        raise ValueError(f'{text!r} is not a duration like "4h", "90m", "2d" or "PT4H"')
    if amount <= 0 or amount != int(amount):
        raise ValueError(f"{text!r} must be a positive whole number of seconds")
    return int(amount)


def format_duration(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"PT{seconds}S"


def _num(value) -> str | None:
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return text


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_version(version) -> dict:
    """The file's content for one agreement version (plain data; ``dump`` writes it)."""
    from accord.escalation.models import EscalationPolicy

    agreement = version.agreement
    policy = EscalationPolicy.objects.filter(agreement=agreement, target__isnull=True).first()
    data = {
        "reference": agreement.reference, "version": version.number, "status": version.status,
        "kind": agreement.kind, "structure": agreement.structure, "name": agreement.name,
        "description": agreement.description,
        "customer": agreement.customer.name if agreement.customer_id else None,
        "team": agreement.team.name if agreement.team_id else None,
        "supplier": agreement.supplier.name if agreement.supplier_id else None,
        "parent": agreement.parent.reference if agreement.parent_id else None,
        "services": sorted(s.name for s in agreement.services.all()),
        "underpins": sorted(a.reference for a in agreement.underpins.all()),
        "calendar": agreement.calendar.name if agreement.calendar_id else None,
        "monthly_charge": _num(agreement.monthly_charge), "currency": agreement.currency,
        "credit_cap_percent": _num(agreement.credit_cap_percent),
        "reporting_time_zone": agreement.reporting_time_zone,
        "text": version.text, "effective_from": _iso(version.effective_from),
        "effective_to": _iso(version.effective_to), "review_due": _iso(version.review_due),
        "escalation_policy": policy.name if policy else None,
        "targets": [export_target(t) for t in version.targets.select_related(
            "service", "calendar").order_by("position", "pk")],
    }
    return data


def export_target(target) -> dict:
    conditions = {name: getattr(target, f"{name}_condition") for name in CONDITIONS
                  if getattr(target, f"{name}_condition") is not None}
    return {
        "name": target.name, "metric": target.metric,
        "service": target.service.name if target.service_id else None,
        "type": target.ticket_type, "priority": target.priority,
        "calendar": target.calendar.name if target.calendar_id else None,
        "duration": format_duration(target.duration_seconds),
        "percentage": _num(target.percentage),
        "objective_percent": _num(target.objective_percent), "period": target.period,
        "warning_thresholds": list(target.warning_thresholds or []),
        "conditions": conditions, "reopen_policy": target.reopen_policy,
        "credits": {"amount": _num(target.credit_amount),
                    "currency": target.credit_currency, "percent": _num(target.credit_percent),
                    "basis": target.credit_basis},
    }


def dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def load(text: str) -> dict:
    """The file's data; ValueError naming the line on bad YAML."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"not YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("the file must hold one mapping (kind, name, targets, ...)")
    return data
