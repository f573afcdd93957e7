"""Domain operations on service level requirements (SLRs).

captured → under_evaluation → accepted / rejected → converted. ``evaluate_slr`` records
whether we can deliver it (yes / partly / no) and may decide it; ``convert_to_draft`` turns an
accepted SLR's requested targets into targets of a draft agreement version.
"""

from django.db import transaction

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change, snapshot
from accord.lib.errors import DomainError, InvalidInput

from .choices import AgreementKind, Feasibility, SlrStatus, Structure
from .models import Agreement, AgreementVersion, ServiceLevelRequirement
from .services import create_agreement
from .validation import choice, clean_target, require_now, text
from .versions import add_target, new_draft_version

SLR_FIELDS = ("title", "customer", "service", "text", "requested_by", "requested_targets")
OPEN = (SlrStatus.CAPTURED, SlrStatus.UNDER_EVALUATION)


def clean_requested_targets(items) -> list[dict]:
    """Requested targets as given, checked like real targets (plus a free ``note``)."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise InvalidInput("requested_targets must be a list", "requested_targets")
    out = []
    for i, item in enumerate(items):
        where = f"requested_targets[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"{where} must be an object", where)
        terms = {k: v for k, v in item.items() if k != "note" and v is not None}
        clean_target(terms, where=f"{where}.")
        note = text(item.get("note"), f"{where}.note", 1000)
        out.append({**terms, **({"note": note} if note else {})})
    return out


def _clean(values: dict) -> dict:
    for name in values:
        if name not in SLR_FIELDS:
            raise InvalidInput(f"{name} is not an SLR field", name)
    out = dict(values)
    if "title" in values:
        out["title"] = text(values["title"], "title", 200, required=True)
    if "text" in values:
        out["text"] = text(values["text"], "text", 20_000)
    if "requested_by" in values:
        out["requested_by"] = text(values["requested_by"], "requested_by", 150)
    if "requested_targets" in values:
        out["requested_targets"] = clean_requested_targets(values["requested_targets"])
    if "customer" in values and values["customer"] is None:
        raise InvalidInput("an SLR needs a customer", "customer")
    return out


@transaction.atomic
def create_slr(*, by, now, title, customer, **values) -> ServiceLevelRequirement:
    require_now(now)
    clean = _clean({"title": title, "customer": customer, **values})
    slr = ServiceLevelRequirement.objects.create(**clean, created_at=now, created_by=by)
    record_change(by, slr, AuditAction.CREATE)
    return slr


@transaction.atomic
def update_slr(slr: ServiceLevelRequirement, *, by, now, **changes) -> ServiceLevelRequirement:
    require_now(now)
    if slr.status not in OPEN:
        raise DomainError(f"{slr} is {slr.status}: only captured or evaluating SLRs change")
    clean = _clean(changes)
    before = snapshot(slr)
    for name, value in clean.items():
        setattr(slr, name, value)
    slr.save()
    record_change(by, slr, AuditAction.UPDATE, before=before)
    return slr


@transaction.atomic
def delete_slr(slr: ServiceLevelRequirement, *, by) -> None:
    if slr.status == SlrStatus.CONVERTED:
        raise DomainError(f"{slr} was converted into {slr.version}: it stays on record")
    record_change(by, slr, AuditAction.DELETE, before=snapshot(slr), after={})
    slr.delete()


@transaction.atomic
def evaluate_slr(slr: ServiceLevelRequirement, *, by, now, feasibility: str, notes: str = "",
                 decision: str | None = None) -> ServiceLevelRequirement:
    """Record whether we can deliver the SLR; ``decision`` "accept" or "reject" decides it,
    otherwise it stays under evaluation. Only a deliverable (yes/partly) SLR is accepted."""
    require_now(now)
    choice(feasibility, "feasibility", Feasibility)
    notes = text(notes, "notes", 20_000)
    if decision not in (None, "accept", "reject"):
        raise InvalidInput(f"decision {decision!r} must be 'accept' or 'reject'", "decision")
    if decision == "accept" and feasibility == Feasibility.NO:
        raise InvalidInput("an SLR we cannot deliver (feasibility no) cannot be accepted",
                           "decision")
    if slr.status == SlrStatus.CONVERTED:
        raise DomainError(f"{slr} is already converted")
    before = snapshot(slr)
    slr.feasibility, slr.evaluation_notes = feasibility, notes
    slr.evaluated_by, slr.evaluated_at = by, now
    slr.status = {"accept": SlrStatus.ACCEPTED, "reject": SlrStatus.REJECTED}.get(
        decision, SlrStatus.UNDER_EVALUATION
    )
    slr.save()
    record_change(by, slr, AuditAction.TRANSITION, before=before,
                  message=f"evaluated: {feasibility}. {notes}".strip())
    return slr


@transaction.atomic
def convert_to_draft(slr: ServiceLevelRequirement, agreement: Agreement | None = None, *, by,
                     now, name: str = "") -> AgreementVersion:
    """Put an accepted SLR's requested targets into a draft version of ``agreement`` (its
    current draft, or a new one), or of a new customer-based SLA when none is given."""
    require_now(now)
    slr = ServiceLevelRequirement.objects.select_for_update().get(pk=slr.pk)
    if slr.status != SlrStatus.ACCEPTED:
        raise DomainError(f"{slr} is {slr.status}: only an accepted SLR is converted")
    if not slr.requested_targets:
        raise DomainError(f"{slr} has no requested targets to convert")
    if agreement is None:
        agreement = create_agreement(
            by=by, now=now, kind=AgreementKind.SLA, structure=Structure.CUSTOMER_BASED,
            customer=slr.customer, services=[slr.service] if slr.service else [],
            name=text(name, "name", 150) or f"{slr.customer} – {slr.title}"[:150],
            description=f"From {slr}",
        )
    elif agreement.kind != AgreementKind.SLA:
        raise InvalidInput(f"{agreement.reference} is not an SLA", "agreement")
    elif agreement.customer_id not in (None, slr.customer_id):
        raise InvalidInput(f"{agreement.reference} is with {agreement.customer}, not "
                           f"{slr.customer}", "agreement")
    version = agreement.draft_version() or new_draft_version(agreement, by=by, now=now)
    for i, item in enumerate(slr.requested_targets):
        terms = {k: v for k, v in item.items() if k != "note"}
        try:
            add_target(version, by=by, now=now, service=slr.service, **terms)
        except InvalidInput as exc:
            raise InvalidInput(f"requested_targets[{i}]: {exc.message}",
                               f"requested_targets[{i}].{exc.field}") from None
    before = snapshot(slr)
    slr.status, slr.version, slr.converted_at = SlrStatus.CONVERTED, version, now
    slr.save()
    record_change(by, slr, AuditAction.TRANSITION, before=before,
                  message=f"converted into draft targets of {version}")
    return version
