"""Agreement templates: versioned standard agreements, and "new agreement from template".

``save_template`` writes version n+1 of a template (versions are never edited in place);
``instantiate`` creates a draft agreement for a customer and service (SLA), a team (OLA) or
a supplier (UC): its text from the sections with the placeholders filled, its targets, its
priority matrix, its escalation policy and its first review after the template's cadence.
"""

import calendar as months_of
import string
from datetime import datetime

from django.db import transaction

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change
from accord.agreements import services as agreements
from accord.agreements import versions
from accord.agreements.choices import AgreementKind
from accord.agreements.validation import require_now
from accord.escalation.services.setup import create_policy
from accord.lib.errors import InvalidInput

from .ascode_apply import validate
from .models import AgreementTemplate

PLACEHOLDERS = ("customer", "service", "team", "supplier", "effective_from")
TEMPLATE_FIELDS = ("kind", "structure", "description", "sections", "targets",
                   "priority_matrix", "calendar", "escalation_steps", "review_cadence_months")


def current(name: str) -> AgreementTemplate | None:
    return AgreementTemplate.objects.filter(name=name).order_by("-number").first()


def _check(values: dict) -> None:
    if values.get("kind") not in AgreementKind.values:
        raise InvalidInput("kind must be sla, ola or uc", "kind")
    for i, section in enumerate(values.get("sections") or []):
        if not isinstance(section, dict) or not isinstance(section.get("text", ""), str):
            raise InvalidInput("each section is {title, text}", f"sections[{i}]")
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(section.get("text", ""))
                     if f is not None}
        except ValueError as exc:
            raise InvalidInput(str(exc), f"sections[{i}].text") from None
        unknown = sorted(names - set(PLACEHOLDERS))
        if unknown:
            raise InvalidInput(f"unknown placeholder {{{unknown[0]}}}; known: "
                               f"{', '.join(PLACEHOLDERS)}", f"sections[{i}].text")
    calendar = values.get("calendar")
    plan = validate({"kind": values["kind"], "name": "template", "targets":
                     values.get("targets") or [], "calendar": calendar.name if calendar else None})
    if plan.errors:
        path, _, message = plan.errors[0].partition(": ")
        raise InvalidInput(message, path)


@transaction.atomic
def save_template(name: str, *, by, now: datetime, **values) -> AgreementTemplate:
    """Version n+1 of template ``name`` (1 if new): the given fields over the current ones."""
    require_now(now)
    unknown = sorted(set(values) - set(TEMPLATE_FIELDS))
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not a template field", unknown[0])
    latest = current(name)
    merged = ({f: getattr(latest, f) for f in TEMPLATE_FIELDS} if latest else {})
    merged.update(values)
    _check(merged)
    template = AgreementTemplate.objects.create(
        name=name, number=(latest.number + 1) if latest else 1, created_at=now,
        created_by=by if by and by.pk else None, **merged)
    record_change(by, template, AuditAction.CREATE, message=f"template {name} v{template.number}")
    return template


def add_months(at: datetime, months: int) -> datetime:
    """The same wall-clock instant ``months`` later (the 31st → the month's last day)."""
    index = at.year * 12 + at.month - 1 + months
    year, month = divmod(index, 12)
    day = min(at.day, months_of.monthrange(year, month + 1)[1])
    return at.replace(year=year, month=month + 1, day=day)


def render_text(template: AgreementTemplate, values: dict) -> str:
    filled = {k: values.get(k) or f"[{k}]" for k in PLACEHOLDERS}
    parts = []
    for section in template.sections or []:
        title = section.get("title", "")
        body = section.get("text", "").format(**filled)
        parts.append(f"{title}\n\n{body}" if title else body)
    return "\n\n".join(parts)


@transaction.atomic
def instantiate(template: AgreementTemplate, *, by, now: datetime, name: str = "",
                customer=None, service=None, team=None, supplier=None,
                effective_from: datetime | None = None):
    """A new draft agreement from ``template`` for these parties; returns the agreement."""
    require_now(now)
    kind = template.kind
    party = {"sla": ("customer", customer), "ola": ("team", team),
             "uc": ("supplier", supplier)}[kind]
    if kind != AgreementKind.SLA and party[1] is None:  # an SLA's shape: create_agreement
        raise InvalidInput(f"a {kind.upper()} from a template needs a {party[0]}", party[0])
    names = {"customer": getattr(customer, "name", ""), "service": getattr(service, "name", ""),
             "team": getattr(team, "name", ""), "supplier": getattr(supplier, "name", ""),
             "effective_from": effective_from.date().isoformat() if effective_from else ""}
    who = party[1] or service or "All customers"
    values = {"kind": kind, "name": (name or f"{who} – {template.name}")[:150],
              "structure": template.structure if kind == AgreementKind.SLA else "",
              "description": f"From template {template.name} v{template.number}",
              "calendar": template.calendar, "text": render_text(template, names)}
    values[party[0]] = party[1]
    if effective_from is not None:
        values["effective_from"] = effective_from
        values["review_due"] = add_months(effective_from, template.review_cadence_months)
    agreement = agreements.create_agreement(
        by=by, now=now, services=[service] if service else [], **values)
    draft = agreement.draft_version()
    plan = validate({"kind": kind, "name": agreement.name, "targets": template.targets or [],
                     "calendar": template.calendar.name if template.calendar else None})
    for i, target in enumerate(plan.targets):
        if target["service"] is None and service is not None and kind != AgreementKind.SLA:
            target["service"] = service
        versions.add_target(draft, by=by, now=now, position=i, **target)
    if template.priority_matrix:
        agreements.set_priority_matrix(agreement, template.priority_matrix, by=by)
    if template.escalation_steps:
        create_policy(by=by, name=f"{agreement.reference} {agreement.name}"[:150],
                      steps=template.escalation_steps, agreement_id=agreement.pk, now=now,
                      description=f"From template {template.name} v{template.number}")
    record_change(by, agreement, AuditAction.UPDATE, changes={},
                  message=f"created from template {template.name} v{template.number}")
    return agreement
