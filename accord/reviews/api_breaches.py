"""Breach investigation: ``/breaches/{clock_id}/investigation`` (GET, PUT),
``/breaches/plan-candidates`` (recurring breaches of the same target and cause) and the
configurable ``/reason-codes`` (administrators)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from ninja import Router, Status

from accord.accounts.auth import require
from accord.agreements import queries as agreement_queries
from accord.lib.errors import DomainError, Forbidden, InvalidInput
from accord.measurement.models import BreachInvestigation, ReasonCode

from . import investigations
from .schemas_more import InvestigationIn, InvestigationOut, ReasonCodeIn, ReasonCodeOut

router = Router(tags=["breach investigation"])


def _internal(request, permission="view"):
    user = require(request, permission)
    if user.is_portal:
        raise Forbidden("breach investigations are internal")
    return user


@router.get("/breaches/plan-candidates", response=list[dict])
def plan_candidates(request, minimum: int = 2):
    """Recurring causes: breaches, or missed objectives, of the same target key with the
    same reason code at least ``minimum`` times: improvement-plan candidates."""
    user = _internal(request)
    if minimum < 1:
        raise InvalidInput("minimum must be at least 1", "minimum")
    return investigations.plan_candidates(agreement_queries.visible_to(user), minimum)


@router.get("/breaches/{clock_id}/investigation", response=InvestigationOut)
def get_investigation(request, clock_id: int):
    """The investigation, or an empty one with the party suggested from the attribution."""
    user = _internal(request)
    clock = investigations.breached_clock(clock_id, agreement_queries.visible_to(user))
    found = BreachInvestigation.objects.filter(clock=clock).first()
    return found or BreachInvestigation(clock=clock,
                                        suggested_party=investigations.suggested_party(clock))


@router.put("/breaches/{clock_id}/investigation", response=InvestigationOut)
def put_investigation(request, clock_id: int, body: InvestigationIn):
    """Record the reason code, root cause, confirmed party (by you) and problem tickets."""
    user = _internal(request, "manage_actions")
    clock = investigations.breached_clock(clock_id, agreement_queries.visible_to(user))
    return investigations.record(clock, by=user, values=body.dict(exclude_unset=True),
                                 now=timezone.now())


@router.get("/reason-codes", response=list[ReasonCodeOut])
def reason_codes(request):
    _internal(request)
    return ReasonCode.objects.all()


@router.post("/reason-codes", response={201: ReasonCodeOut})
def add_reason_code(request, body: ReasonCodeIn):
    from accord.accounts.choices import AuditAction
    from accord.accounts.services import record_change

    user = _internal(request, "change_policy")
    code, label = body.code.strip(), body.label.strip()
    if not code or len(code) > 32:
        raise InvalidInput("code must be 1 to 32 characters", "code")
    if not label:
        raise InvalidInput("label is required", "label")
    try:
        with transaction.atomic():
            found = ReasonCode.objects.create(code=code, label=label[:150], active=body.active)
            record_change(user, found, AuditAction.CREATE, message="reason code added")
    except IntegrityError:
        raise DomainError(f"reason code {code!r} exists", "code")
    return Status(201, found)
