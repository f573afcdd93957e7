"""Domain operations on agreements: create, edit, lifecycle transitions, priority matrices.

Versions, targets and sign-off are in versions.py, SLRs in slrs.py. Every operation validates
the whole request before it writes, runs in one transaction and writes its audit rows.
"""

from django.db import transaction

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change, snapshot
from accord.lib.errors import DomainError, InvalidInput

from .choices import AgreementKind, AgreementStatus, Structure, VersionStatus
from .models import Agreement, AgreementVersion, PriorityMatrixCell, Target
from .queries import version_in_force
from .validation import (
    CURRENCY,
    choice,
    clean_version_fields,
    money,
    percent,
    require_now,
    text,
    time_zone,
)

S = AgreementStatus
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.IN_NEGOTIATION, S.AGREED, S.TERMINATED),
    S.IN_NEGOTIATION: (S.DRAFT, S.AGREED, S.TERMINATED),
    S.AGREED: (S.ACTIVE, S.TERMINATED),
    S.ACTIVE: (S.UNDER_REVIEW, S.EXPIRED, S.TERMINATED),
    S.UNDER_REVIEW: (S.AGREED, S.ACTIVE, S.EXPIRED, S.TERMINATED),
    S.EXPIRED: (),
    S.TERMINATED: (),
}
# Fixed once a version has been signed: the parties and the shape of the agreement.
STRUCTURAL = ("kind", "structure", "customer", "team", "supplier", "parent")
EDITABLE = (*STRUCTURAL, "name", "description", "services", "underpins", "calendar", "owner",
            "monthly_charge", "currency", "credit_cap_percent", "reporting_time_zone",
            "auto_lifecycle", "auto_review", "survey_on_resolve")
SWITCHES = ("auto_lifecycle", "auto_review")  # the worker's lifecycle settings
FIRST_VERSION = ("text", "effective_from", "effective_to", "review_due")


def _validate_shape(v: dict) -> None:
    """The rules tying kind, structure, counterparty, parent and services together."""
    v["name"] = text(v.get("name"), "name", 150, required=True)
    v["description"] = text(v.get("description"), "description", 10_000)
    kind = choice(v.get("kind"), "kind", AgreementKind)
    structure = v.get("structure") or ""
    services, parent = list(v.get("services") or []), v.get("parent")
    needs = {AgreementKind.SLA: "customer", AgreementKind.OLA: "team", AgreementKind.UC: "supplier"}
    for other in ("customer", "team", "supplier"):
        if other != needs[kind] and v.get(other) is not None:
            raise InvalidInput(f"{kind.upper()}s have no {other}", other)
    if kind != AgreementKind.SLA:
        if structure:
            raise InvalidInput("only SLAs have a structure", "structure")
        if v.get(needs[kind]) is None:
            raise InvalidInput(f"{kind.upper()}s need a {needs[kind]}", needs[kind])
        if parent is not None:
            raise InvalidInput("only multi-level SLAs have a parent", "parent")
    else:
        _validate_sla(structure, v.get("customer"), parent, services)
    for i, sla in enumerate(v.get("underpins") or []):
        if kind == AgreementKind.SLA:
            raise InvalidInput("only OLAs and UCs underpin other agreements", "underpins")
        if sla.kind != AgreementKind.SLA:
            raise InvalidInput(f"underpins[{i}]: {sla.reference} is not an SLA", "underpins")
    owner = v.get("owner")
    if owner is not None and owner.is_portal:
        raise InvalidInput(f"{owner} is a portal user and cannot own an agreement", "owner")
    for name in SWITCHES:
        if name in v and not isinstance(v[name], bool):
            raise InvalidInput(f"{name} must be true or false", name)
    charge = v["monthly_charge"] = money(v.get("monthly_charge"), "monthly_charge",
                                         zero_ok=True)
    currency = v["currency"] = text(v.get("currency"), "currency", 3).upper()
    if charge is not None and not CURRENCY.fullmatch(currency):
        raise InvalidInput("monthly_charge needs a three-letter currency such as EUR", "currency")
    v["credit_cap_percent"] = percent(v.get("credit_cap_percent"), "credit_cap_percent")
    v["reporting_time_zone"] = time_zone(v.get("reporting_time_zone"), "reporting_time_zone")
    survey = v.get("survey_on_resolve")
    if survey is not None and not isinstance(survey, bool):
        raise InvalidInput("survey_on_resolve must be true or false", "survey_on_resolve")
    if "survey_on_resolve" in v:
        v["survey_on_resolve"] = bool(survey)


def _validate_sla(structure, customer, parent, services) -> None:
    choice(structure, "structure", Structure)
    if structure in (Structure.SERVICE_BASED, Structure.SERVICE_LEVEL) and len(services) != 1:
        raise InvalidInput(f"a {structure.replace('_', '-')} SLA covers exactly one service",
                           "services")
    if structure == Structure.CORPORATE and customer is not None:
        raise InvalidInput("a corporate-level SLA covers all customers: leave customer empty",
                           "customer")
    if structure in (Structure.CUSTOMER_BASED, Structure.CUSTOMER_LEVEL, Structure.SERVICE_LEVEL):
        if customer is None:
            raise InvalidInput(f"a {structure.replace('_', '-')} SLA needs a customer", "customer")
    allowed_parents = {
        Structure.CUSTOMER_LEVEL: (Structure.CORPORATE,),
        Structure.SERVICE_LEVEL: (Structure.CUSTOMER_LEVEL, Structure.CORPORATE),
    }.get(structure, ())
    if parent is None:
        if structure == Structure.SERVICE_LEVEL:
            raise InvalidInput("a service-level SLA needs its customer- or corporate-level "
                               "parent", "parent")
        return
    if parent.kind != AgreementKind.SLA or parent.structure not in allowed_parents:
        what = " or ".join(s.replace("_", "-") for s in allowed_parents) or "no"
        raise InvalidInput(f"the parent of a {structure.replace('_', '-')} SLA must be a {what} "
                           f"SLA; {parent.reference} is {parent.structure or parent.kind}",
                           "parent")
    if parent.customer_id is not None and parent.customer != customer:
        raise InvalidInput(f"the parent {parent.reference} belongs to another customer", "parent")
    if parent.is_terminal:
        raise InvalidInput(f"the parent {parent.reference} is {parent.status}", "parent")


@transaction.atomic
def create_agreement(*, by, now, services=(), underpins=(), **values) -> Agreement:
    """A new agreement in draft with its first draft version (text and dates optional)."""
    require_now(now)
    unknown = set(values) - set(EDITABLE) - set(FIRST_VERSION)
    if unknown:
        raise InvalidInput(f"{sorted(unknown)[0]} is not an agreement field", sorted(unknown)[0])
    first = {name: values.pop(name) for name in FIRST_VERSION if name in values}
    values.update(services=list(services), underpins=list(underpins))
    _validate_shape(values)
    first = clean_version_fields(first, current={})
    services, underpins = values.pop("services"), values.pop("underpins")
    agreement = Agreement(**values, created_at=now, status_changed_at=now)
    agreement.save()
    agreement.services.set(services)
    agreement.underpins.set(underpins)
    record_change(by, agreement, AuditAction.CREATE)
    version = AgreementVersion.objects.create(
        agreement=agreement, number=1, created_at=now, created_by=by, **first
    )
    record_change(by, version, AuditAction.CREATE, message="first draft version")
    return agreement


def _check_credit_currency(agreement: Agreement, currency: str) -> None:
    """Credits are paid in the agreement's currency: a draft's targets must already use it."""
    if not currency:
        return
    other = (Target.objects.filter(version__agreement=agreement,
                                   version__status=VersionStatus.DRAFT)
             .exclude(credit_currency="").exclude(credit_currency=currency)
             .values_list("credit_currency", flat=True).first())
    if other:
        raise InvalidInput(f"the draft version's targets give credits in {other}; change them "
                           f"before the currency becomes {currency}", "currency")


@transaction.atomic
def update_agreement(agreement: Agreement, *, by, now, **changes) -> Agreement:
    """Edit an agreement's header. Its parties and shape are fixed once a version is signed;
    terms live in versions (see versions.py)."""
    require_now(now)
    if agreement.is_terminal:
        raise DomainError(f"{agreement.reference} is {agreement.status}: it cannot be edited")
    for name in changes:
        if name not in EDITABLE:
            raise InvalidInput(f"{name} is not an editable agreement field", name)
    for name in ("services", "underpins"):
        if name in changes and changes[name] is None:
            changes[name] = []  # null clears the list, as on create
    if agreement.has_signed_version():
        for name in STRUCTURAL:
            if name in changes and changes[name] != getattr(agreement, name):
                raise DomainError(
                    f"{name} of {agreement.reference} is fixed once a version has been signed",
                    field=name,
                )
    current_services = list(agreement.services.all())
    if (agreement.has_signed_version() and "services" in changes
            and agreement.structure in (Structure.SERVICE_BASED, Structure.SERVICE_LEVEL)
            and set(changes["services"]) != set(current_services)):
        raise DomainError(f"the service of {agreement.reference} is fixed once a version has "
                          "been signed", field="services")
    merged = {name: getattr(agreement, name) for name in EDITABLE if name not in (
        "services", "underpins")}
    merged["services"] = current_services
    merged["underpins"] = list(agreement.underpins.all())
    merged.update(changes)
    _validate_shape(merged)
    _check_credit_currency(agreement, merged["currency"])
    before = snapshot(agreement)
    for name, value in merged.items():
        if name not in ("services", "underpins"):
            setattr(agreement, name, value)
    agreement.save()
    if "services" in changes:
        agreement.services.set(merged["services"])
    if "underpins" in changes:
        agreement.underpins.set(merged["underpins"])
    record_change(by, agreement, AuditAction.UPDATE, before=before)
    return agreement


@transaction.atomic
def transition(agreement: Agreement, to: str, *, by, now, reason: str = "",
               expected: str | None = None, guard_at=None, due: bool = False
               ) -> Agreement | None:
    """Move the agreement to status ``to`` if the lifecycle allows it; audited with the reason.
    For the worker: ``expected`` is a compare-and-set (an agreement no longer in that status
    is left alone and None is returned), ``guard_at`` the instant the guards below are
    checked at (default ``now``), and ``due`` audits the move at ``now`` (the instant it
    fell due) rather than when it is written.

    Into agreed: the latest version is signed by both parties. Into active: a signed version
    is in effect at ``now``. Into expired: none is. Into terminated: a reason is required.
    Leaving under_review for agreed or active records the review as concluded.
    """
    require_now(now)
    choice(to, "to", AgreementStatus)
    reason = text(reason, "reason", 1000)
    given, agreement = agreement, Agreement.objects.select_for_update().get(pk=agreement.pk)
    frm = agreement.status
    if expected is not None and frm != expected:
        return None  # someone else moved it meanwhile
    if to not in TRANSITIONS[frm]:
        allowed = ", ".join(TRANSITIONS[frm]) or "none (it is final)"
        raise DomainError(
            f"{agreement.reference} cannot go from {frm} to {to} (allowed from {frm}: {allowed})",
            field="to",
        )
    _check_guard(agreement, to, now if guard_at is None else guard_at, reason)
    agreement.status = to
    agreement.status_changed_at = now
    fields = ["status", "status_changed_at"]
    if frm == S.UNDER_REVIEW and to in (S.AGREED, S.ACTIVE):
        agreement.last_reviewed_at = now
        fields.append("last_reviewed_at")
    agreement.save(update_fields=fields)
    for name in fields:  # the caller's object shows the new status too
        setattr(given, name, getattr(agreement, name))
    record_change(by, agreement, AuditAction.TRANSITION, changes={"status": [frm, to]},
                  message=reason, at=now if due else None)
    return agreement


def _check_guard(agreement: Agreement, to: str, now, reason: str) -> None:
    if to == S.TERMINATED and not reason:
        raise InvalidInput("a reason is required to terminate an agreement", "reason")
    if to == S.IN_NEGOTIATION and agreement.draft_version() is None:
        raise DomainError(f"{agreement.reference} has no draft version to negotiate", field="to")
    if to == S.AGREED:
        latest = agreement.latest_version()
        if latest is None or not latest.is_frozen:
            raise DomainError(
                f"{latest} is not signed by both parties yet: it cannot be agreed", field="to"
            )
    in_force = version_in_force(agreement, now)
    if to == S.ACTIVE and in_force is None:
        raise DomainError(
            f"no signed version of {agreement.reference} is in effect at {now.isoformat()}",
            field="to",
        )
    if to == S.EXPIRED and in_force is not None:
        raise DomainError(
            f"{in_force} is still in effect at {now.isoformat()}: terminate it instead",
            field="to",
        )


def apply_due_transitions(now, *, by=None) -> list[tuple[Agreement, str, str]]:
    """The worker's lifecycle unit (see ``lifecycle``). Returns what moved."""
    from .lifecycle import apply_due_transitions as apply

    return apply(now, by=by)


def _matrix_anchor(agreement):
    """What the audit row of a matrix change hangs on: the agreement, or a stand-in row
    (id 0) for the global matrix."""
    return agreement or PriorityMatrixCell(id=0, impact="*", urgency="*", priority="global")


@transaction.atomic
def set_priority_matrix(agreement: Agreement | None, cells: list[dict], *, by) -> list:
    """Replace the agreement's (or, for None, the global) impact × urgency → priority matrix."""
    if agreement is not None and agreement.is_terminal:
        raise DomainError(f"{agreement.reference} is {agreement.status}: it cannot be edited")
    clean, seen = [], set()
    for i, cell in enumerate(cells):
        row = {k: text(cell.get(k), f"cells[{i}].{k}", 32, required=True)
               for k in ("impact", "urgency", "priority")}
        pair = (row["impact"], row["urgency"])
        if pair in seen:
            raise InvalidInput(f"impact {pair[0]} × urgency {pair[1]} appears twice",
                               f"cells[{i}].urgency")
        seen.add(pair)
        clean.append(row)
    existing = PriorityMatrixCell.objects.filter(agreement=agreement)
    before = sorted([c.impact, c.urgency, c.priority] for c in existing)
    existing.delete()
    created = PriorityMatrixCell.objects.bulk_create(
        [PriorityMatrixCell(agreement=agreement, **row) for row in clean]
    )
    after = sorted([c["impact"], c["urgency"], c["priority"]] for c in clean)
    record_change(by, _matrix_anchor(agreement), AuditAction.UPDATE,
                  changes={"priority_matrix": [before, after]}, message="priority matrix")
    return created
