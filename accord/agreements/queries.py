"""Read models of the agreements app: visibility, versions in force, reviews, priorities."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from accord.accounts.choices import Role
from accord.accounts.models import AuditEntry

from .choices import AgreementKind, AgreementStatus
from .models import (
    TERMINAL,
    Agreement,
    AgreementVersion,
    PriorityMatrixCell,
    ServiceLevelRequirement,
)
from .validation import add_year, require_now


def visible_to(user):
    """Agreements ``user`` may see: internal users all; a customer-portal user the SLAs of
    customers they are a contact of; a supplier-portal user their suppliers' UCs."""
    agreements = Agreement.objects.all()
    if not user.is_authenticated or not user.is_active:
        return agreements.none()
    if not user.is_portal:
        return agreements
    if user.role == Role.CUSTOMER:
        return agreements.filter(kind=AgreementKind.SLA, customer__contacts=user)
    return agreements.filter(kind=AgreementKind.UC, supplier__contacts=user)


def slrs_visible_to(user):
    slrs = ServiceLevelRequirement.objects.select_related("customer", "service")
    if not user.is_authenticated or not user.is_active:
        return slrs.none()
    if not user.is_portal:
        return slrs
    if user.role == Role.CUSTOMER:
        return slrs.filter(customer__contacts=user)
    return slrs.none()


def version_in_force(agreement: Agreement, at) -> AgreementVersion | None:
    """The latest agreed (frozen) version whose effective period contains ``at``."""
    return agreement.version_in_force(require_now(at))


LIVE = (AgreementStatus.AGREED, AgreementStatus.ACTIVE, AgreementStatus.UNDER_REVIEW)
# Agreements whose signed versions measure tickets: the live ones, and the ended ones for the
# tickets opened while they were in force (their clocks are closed when they ended).
MEASURED = (*LIVE, *TERMINAL)


def coverage_ends(now=None) -> dict[int, object]:
    """Agreement id -> the instant from which none of its signed versions is in force any
    more: the end of its last version (when every signed version has an end), or its
    termination, whichever is earlier. Agreements with an open-ended signed version and no
    termination have no end. With ``now``, only the ends at or before it."""
    ends: dict[int, object] = {}
    open_ended: set[int] = set()
    for agreement_id, end in AgreementVersion.objects.filter(
            frozen_at__isnull=False, effective_from__isnull=False).values_list(
            "agreement_id", "effective_to"):
        if end is None:
            open_ended.add(agreement_id)
        elif agreement_id not in ends or end > ends[agreement_id]:
            ends[agreement_id] = end
    for pk in open_ended:
        ends.pop(pk, None)
    for pk, at in Agreement.objects.filter(
            status=AgreementStatus.TERMINATED, status_changed_at__isnull=False).values_list(
            "pk", "status_changed_at"):
        ends[pk] = min(ends.get(pk, at), at)
    if now is not None:
        ends = {pk: end for pk, end in ends.items() if end <= now}
    return ends


def _measures_at(agreement: Agreement, at) -> bool:
    """Whether ``agreement`` measures a ticket started at ``at``: a signed version is in force
    then, and it was not terminated before."""
    if agreement.status == AgreementStatus.TERMINATED and (
            agreement.status_changed_at is None or at >= agreement.status_changed_at):
        return False
    return agreement.version_in_force(at) is not None


def agreements_covering(at, *, customer=None, service=None, team=None,
                        supplier=None) -> list[Agreement]:
    """Agreements with a signed version in force at ``at`` that cover a ticket: SLAs of its
    customer (or of all customers) for its service (or for all services), OLAs of its team,
    UCs of its supplier. Agreements that have ended since (expired, or terminated after
    ``at``) still cover it: its clocks are closed when they ended. Of a multi-level chain
    only the innermost level is listed: its effective targets include the outer levels'."""
    require_now(at)
    any_service = Q(services__isnull=True)
    wanted = (
        Q(kind=AgreementKind.SLA)
        & (Q(customer=customer) | Q(customer__isnull=True))
        & ((Q(services=service) | any_service) if service is not None else any_service)
    )
    if team is not None:
        wanted |= Q(kind=AgreementKind.OLA, team=team)
    if supplier is not None:
        wanted |= Q(kind=AgreementKind.UC, supplier=supplier)
    found = [
        a for a in Agreement.objects.filter(wanted, status__in=MEASURED).distinct()
        .prefetch_related("versions")
        if _measures_at(a, at)
    ]
    outer = {parent.pk for a in found for parent in a.ancestors()}
    return [a for a in found if a.pk not in outer]


def overlapping_slas(agreement: Agreement) -> list[Agreement]:
    """Other SLAs (not ended) whose scope overlaps this SLA's -- a customer in common (or
    either covers all customers) and a service in common (or either covers all services)
    -- and that are not linked to it as levels (neither is the other's parent, grandparent
    ...). Tickets in the overlap get a clock of each: two separate promises."""
    if agreement.kind != AgreementKind.SLA:
        return []
    others = Agreement.objects.filter(kind=AgreementKind.SLA).exclude(
        pk=agreement.pk).exclude(status__in=TERMINAL)
    if agreement.customer_id is not None:
        others = others.filter(Q(customer_id=agreement.customer_id) | Q(customer__isnull=True))
    services = list(agreement.services.values_list("pk", flat=True))
    if services:
        others = others.filter(Q(services__in=services) | Q(services__isnull=True))
    linked = {a.pk for a in agreement.ancestors()}
    found = []
    for other in others.distinct().select_related("customer", "parent").order_by("pk"):
        if other.pk in linked or agreement.pk in {a.pk for a in other.ancestors()}:
            continue
        found.append(other)
    return found


def next_review_due(agreement: Agreement, at):
    """When the agreement is next due for review, judged at ``at``.

    The version in force sets the date (its ``review_due``). A review concluded after that
    version was signed (``last_reviewed_at``) restarts the version's review cycle: the next
    review is one cycle (review_due - effective_from, a year by default) after it.
    """
    version = version_in_force(agreement, at)
    if version is None or version.review_due is None:
        return None
    due = version.review_due
    reviewed = agreement.last_reviewed_at
    if reviewed is not None and reviewed >= version.frozen_at:
        yearly = version.review_due == add_year(version.effective_from)
        later = add_year(reviewed) if yearly else reviewed + (due - version.effective_from)
        due = max(due, later)
    return due


def overdue_reviews(now) -> list[Agreement]:
    """Live agreements whose version in force is past its review date at ``now``."""
    require_now(now)
    candidates = (
        Agreement.objects.exclude(status__in=TERMINAL)
        .filter(versions__frozen_at__isnull=False, versions__review_due__lt=now)
        .distinct()
        .select_related("customer", "team", "supplier")
    )
    return [a for a in candidates if (due := next_review_due(a, now)) is not None and due < now]


def history(agreement: Agreement):
    """The audit trail of an agreement and its versions (targets, approvals), newest first."""
    types = ContentType.objects.get_for_models(Agreement, AgreementVersion)
    version_ids = [str(pk) for pk in agreement.versions.values_list("pk", flat=True)]
    return AuditEntry.objects.filter(
        Q(content_type=types[Agreement], object_id=str(agreement.pk))
        | Q(content_type=types[AgreementVersion], object_id__in=version_ids)
    ).select_related("content_type", "user")


def priority_matrix(agreement: Agreement | None) -> tuple[str, list[PriorityMatrixCell]]:
    """("agreement", cells) for an agreement with its own matrix, else ("global", cells)
    (an empty global matrix gives ("none", []))."""
    if agreement is not None:
        own = list(PriorityMatrixCell.objects.filter(agreement=agreement))
        if own:
            return "agreement", own
    cells = list(PriorityMatrixCell.objects.filter(agreement__isnull=True))
    return ("global" if cells else "none"), cells


def priority_for(agreement: Agreement | None, impact: str, urgency: str) -> str | None:
    """The priority of ``impact`` × ``urgency`` under the agreement's matrix (or the global)."""
    _, cells = priority_matrix(agreement)
    for cell in cells:
        if cell.impact == str(impact) and cell.urgency == str(urgency):
            return cell.priority
    return None
