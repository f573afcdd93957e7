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


def agreements_covering(at, *, customer=None, service=None, team=None,
                        supplier=None) -> list[Agreement]:
    """Agreements with a signed version in force at ``at`` that cover a ticket: SLAs of its
    customer (or of all customers) for its service (or for all services), OLAs of its team,
    UCs of its supplier. Of a multi-level chain only the innermost level is listed: its
    effective targets include the outer levels'."""
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
        a for a in Agreement.objects.filter(wanted, status__in=LIVE).distinct()
        .prefetch_related("versions")
        if a.version_in_force(at) is not None
    ]
    outer = {parent.pk for a in found for parent in a.ancestors()}
    return [a for a in found if a.pk not in outer]


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
