"""REST endpoints for agreements, versions, targets and sign-off (SLRs and priority matrices
are in api_slrs.py, mounted below).

Everyone who may view sees the agreements ``queries.visible_to`` gives them (others get 404);
writes need ``change_agreement``; approving is checked per party in ``versions.approve``.
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime

from accord.accounts.auth import require
from accord.accounts.schemas import AuditOut
from accord.lib.errors import Forbidden

from . import queries, services, versions
from .api_common import resolve_ids, write_token
from .api_slrs import router as slr_router
from .calendars import explain_calendar
from .content import compare_versions
from .inheritance import effective_targets
from .models import AgreementVersion, Target
from .schemas import (
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    ApproveIn,
    EffectiveTargetOut,
    KindName,
    StatusName,
    TargetIn,
    TargetOut,
    TargetPatch,
    TransitionIn,
    VersionIn,
    VersionOut,
    VersionSummaryOut,
)

router = Router(tags=["agreements"])
router.add_router("", slr_router)


def _agreement(request, agreement_id: int):
    require(request, "view")
    agreements = queries.visible_to(request.user).prefetch_related(
        "services", "underpins", "versions"
    )
    return get_object_or_404(agreements, pk=agreement_id)


def _version(request, agreement_id: int, number: int) -> AgreementVersion:
    agreement = _agreement(request, agreement_id)
    return get_object_or_404(
        AgreementVersion.objects.select_related("agreement"), agreement=agreement, number=number
    )


def _target(request, agreement_id: int, number: int, target_id: int) -> Target:
    version = _version(request, agreement_id, number)
    return get_object_or_404(Target.objects.select_related("version__agreement"),
                             version=version, pk=target_id)


@router.get("/agreements", response=list[AgreementOut])
@paginate
def list_agreements(request, kind: KindName | None = None, status: StatusName | None = None,
                    customer: int | None = None, service: int | None = None,
                    review_overdue: bool | None = None, q: str | None = None):
    require(request, "view")
    agreements = queries.visible_to(request.user)
    if kind:
        agreements = agreements.filter(kind=kind)
    if status:
        agreements = agreements.filter(status=status)
    if customer is not None:
        agreements = agreements.filter(customer_id=customer)
    if service is not None:
        agreements = agreements.filter(services__id=service)
    if q:
        agreements = agreements.filter(name__icontains=q)
    if review_overdue is not None:
        overdue = [a.pk for a in queries.overdue_reviews(timezone.now())]
        agreements = (agreements.filter if review_overdue else agreements.exclude)(pk__in=overdue)
    return agreements.distinct().prefetch_related("services", "underpins", "versions")


@router.post("/agreements", response={201: AgreementOut})
def create_agreement(request, payload: AgreementIn):
    by = require(request, "change_agreement")
    values = resolve_ids(payload.dict())
    agreement = services.create_agreement(by=by, now=timezone.now(), **values)
    return Status(201, _agreement(request, agreement.pk))


@router.get("/agreements/{agreement_id}", response=AgreementOut)
def get_agreement(request, agreement_id: int):
    return _agreement(request, agreement_id)


@router.patch("/agreements/{agreement_id}", response=AgreementOut)
def update_agreement(request, agreement_id: int, payload: AgreementPatch):
    agreement = _agreement(request, agreement_id)
    by = require(request, "change_agreement")
    changes = resolve_ids(payload.dict(exclude_unset=True))
    services.update_agreement(agreement, by=by, now=timezone.now(), **changes)
    return _agreement(request, agreement_id)


@router.post("/agreements/{agreement_id}/transition", response=AgreementOut)
def transition(request, agreement_id: int, payload: TransitionIn):
    agreement = _agreement(request, agreement_id)
    by = require(request, "change_agreement")
    services.transition(agreement, payload.to, by=by, now=timezone.now(), reason=payload.reason)
    return _agreement(request, agreement_id)


@router.get("/agreements/{agreement_id}/history", response=list[AuditOut])
@paginate
def history(request, agreement_id: int):
    """The agreement's audit trail; for staff only (portal users get 403)."""
    agreement = _agreement(request, agreement_id)
    if request.user.is_portal:
        raise Forbidden("the audit trail is for staff only")
    return queries.history(agreement)


@router.get("/agreements/{agreement_id}/versions", response=list[VersionSummaryOut])
@paginate
def list_versions(request, agreement_id: int):
    return _agreement(request, agreement_id).versions.order_by("number")


@router.post("/agreements/{agreement_id}/versions", response={201: VersionOut})
def new_version(request, agreement_id: int, payload: VersionIn):
    agreement = _agreement(request, agreement_id)
    by = require(request, "change_agreement")
    fields = payload.dict(exclude_unset=True)
    return Status(201, versions.new_draft_version(agreement, by=by, now=timezone.now(), **fields))


@router.get("/agreements/{agreement_id}/versions/{number}", response=VersionOut)
def get_version(request, agreement_id: int, number: int):
    return _version(request, agreement_id, number)


@router.patch("/agreements/{agreement_id}/versions/{number}", response=VersionOut)
def update_version(request, agreement_id: int, number: int, payload: VersionIn):
    version = _version(request, agreement_id, number)
    by = require(request, "change_agreement")
    changes = payload.dict(exclude_unset=True)
    return versions.update_version(version, by=by, now=timezone.now(), **changes)


@router.delete("/agreements/{agreement_id}/versions/{number}", response={204: None})
def delete_version(request, agreement_id: int, number: int):
    version = _version(request, agreement_id, number)
    by = require(request, "change_agreement")
    versions.delete_draft_version(version, by=by, now=timezone.now())
    return Status(204, None)


@router.post("/agreements/{agreement_id}/versions/{number}/approve", response=VersionOut)
def approve(request, agreement_id: int, number: int, payload: ApproveIn):
    """Approve a draft as provider or counterparty (portal users: their own agreements)."""
    version = _version(request, agreement_id, number)
    write_token(request)
    versions.approve(version, by=request.user, now=timezone.now(), **payload.dict())
    return AgreementVersion.objects.get(pk=version.pk)


@router.get("/agreements/{agreement_id}/compare")
def compare(request, agreement_id: int, a: int, b: int):
    """What changed from version ``a`` to version ``b``."""
    return compare_versions(_version(request, agreement_id, a),
                            _version(request, agreement_id, b))


@router.get("/agreements/{agreement_id}/effective-targets", response=list[EffectiveTargetOut])
def get_effective_targets(request, agreement_id: int, at: AwareDatetime | None = None,
                          version: int | None = Query(None, description="Preview a version.")):
    """The targets that apply at ``at`` (default now), inherited levels merged."""
    agreement = _agreement(request, agreement_id)
    subject = _version(request, agreement_id, version) if version else agreement
    out = []
    for item in effective_targets(subject, at or timezone.now()):
        resolved = explain_calendar(item.target, customer=agreement.customer,
                                    service=agreement.single_service())
        out.append({
            "target": item.target, "agreement": item.agreement.pk,
            "reference": item.agreement.reference, "version": item.version.number,
            "inherited": item.inherited,
            "overrides": [{"agreement": t.version.agreement_id, "version": t.version.number,
                           "target": t.pk} for t in item.overrides],
            "calendar_name": resolved.calendar.name, "calendar_tz": resolved.calendar.tz,
            "calendar_source": resolved.source,
        })
    return out


@router.get("/agreements/{agreement_id}/versions/{number}/targets", response=list[TargetOut])
def list_targets(request, agreement_id: int, number: int):
    return _version(request, agreement_id, number).targets.all()


@router.post("/agreements/{agreement_id}/versions/{number}/targets", response={201: TargetOut})
def add_target(request, agreement_id: int, number: int, payload: TargetIn):
    version = _version(request, agreement_id, number)
    by = require(request, "change_agreement")
    values = resolve_ids(payload.dict())
    return Status(201, versions.add_target(version, by=by, now=timezone.now(), **values))


@router.get("/agreements/{agreement_id}/versions/{number}/targets/{target_id}",
            response=TargetOut)
def get_target(request, agreement_id: int, number: int, target_id: int):
    return _target(request, agreement_id, number, target_id)


@router.patch("/agreements/{agreement_id}/versions/{number}/targets/{target_id}",
              response=TargetOut)
def update_target(request, agreement_id: int, number: int, target_id: int,
                  payload: TargetPatch):
    target = _target(request, agreement_id, number, target_id)
    by = require(request, "change_agreement")
    changes = resolve_ids(payload.dict(exclude_unset=True))
    return versions.update_target(target, by=by, now=timezone.now(), **changes)


@router.delete("/agreements/{agreement_id}/versions/{number}/targets/{target_id}",
               response={204: None})
def delete_target(request, agreement_id: int, number: int, target_id: int):
    target = _target(request, agreement_id, number, target_id)
    by = require(request, "change_agreement")
    versions.delete_target(target, by=by, now=timezone.now())
    return Status(204, None)
