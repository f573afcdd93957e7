"""``/exclusions``: claim a breached clock as excluded, correct the claim, approve or reject
it (the counterparty's signatory or a service level manager, never the claimant)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from accord.accounts.auth import require
from accord.lib.errors import Forbidden, InvalidInput
from accord.measurement.choices import ExclusionStatus

from . import exclusions
from .schemas import DecisionIn, ExclusionIn, ExclusionOut, ExclusionPatch

router = Router(tags=["exclusions"])


@router.get("/exclusions", response=list[ExclusionOut])
@paginate
def list_exclusions(request, status: str | None = None, agreement: int | None = None,
                    clock: int | None = None):
    found = exclusions.visible_exclusions(require(request, "view"))
    if status is not None:
        if status not in ExclusionStatus.values:
            raise InvalidInput(f"status must be one of {', '.join(ExclusionStatus.values)}",
                               "status")
        found = found.filter(status=status)
    if agreement is not None:
        found = found.filter(clock__agreement_id=agreement)
    if clock is not None:
        found = found.filter(clock_id=clock)
    return found


@router.post("/exclusions", response={201: ExclusionOut})
def create_exclusion(request, body: ExclusionIn):
    user = require(request, "claim_exclusion")
    found = exclusions.claim(by=user, clock_id=body.clock, reason=body.reason,
                             explanation=body.explanation, evidence=body.evidence,
                             now=timezone.now())
    return Status(201, found)


def _get(request, exclusion_id: int, write: bool = False):
    user = require(request, "view")
    token = getattr(request, "api_token", None)
    if write and token is not None and not token.can_write:
        raise Forbidden("this API token is read-only")
    return user, get_object_or_404(exclusions.visible_exclusions(user), pk=exclusion_id)


@router.get("/exclusions/{exclusion_id}", response=ExclusionOut)
def get_exclusion(request, exclusion_id: int):
    return _get(request, exclusion_id)[1]


@router.patch("/exclusions/{exclusion_id}", response=ExclusionOut)
def update_exclusion(request, exclusion_id: int, body: ExclusionPatch):
    user, found = _get(request, exclusion_id)
    require(request, "claim_exclusion")
    return exclusions.update(found, by=user, values=body.dict(exclude_unset=True))


@router.post("/exclusions/{exclusion_id}/approve", response=ExclusionOut)
def approve_exclusion(request, exclusion_id: int, body: DecisionIn | None = None):
    user, found = _get(request, exclusion_id, write=True)
    return exclusions.decide(found, by=user, approve=True, note=body.note if body else "",
                             now=timezone.now())


@router.post("/exclusions/{exclusion_id}/reject", response=ExclusionOut)
def reject_exclusion(request, exclusion_id: int, body: DecisionIn | None = None):
    user, found = _get(request, exclusion_id, write=True)
    return exclusions.decide(found, by=user, approve=False, note=body.note if body else "",
                             now=timezone.now())
