"""``/plans`` (service improvement plans) and ``/risks`` (the risk register)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from accord.accounts.auth import require
from accord.agreements import queries as agreement_queries
from accord.lib.errors import Forbidden, InvalidInput

from . import lookups, plans, risks
from .choices import PlanStatus, RiskState
from .models import Plan, Risk
from .schemas_more import PlanDetail, PlanIn, PlanOut, PlanPatch, RiskIn, RiskOut, RiskPatch

router = Router(tags=["plans and risks"])


def _plans(user):
    return (Plan.objects.filter(agreement_id__in=agreement_queries.visible_to(user)
                                .values("pk"))
            .select_related("agreement", "service", "owner", "approved_by")
            .prefetch_related("targets", "breaches", "actions", "risks"))


def _writer(request, permission: str):
    user = require(request, permission)
    if user.is_portal:
        raise Forbidden("portal users do not edit plans and risks")
    return user


@router.get("/plans", response=list[PlanOut])
@paginate
def list_plans(request, agreement: str | None = None, status: str | None = None):
    user = require(request, "view")
    found = _plans(user)
    if user.is_portal:
        found = found.filter(customer_facing=True)
    if agreement is not None:
        found = found.filter(agreement=lookups.find_agreement(agreement, user))
    if status is not None:
        if status not in PlanStatus.values:
            raise InvalidInput(f"status must be one of {', '.join(PlanStatus.values)}",
                               "status")
        found = found.filter(status=status)
    return found


@router.post("/plans", response={201: PlanOut})
def create_plan(request, body: PlanIn):
    """Propose a plan (service owner and up); it starts only once approved."""
    user = _writer(request, "manage_actions")
    agreement = lookups.find_agreement(body.agreement, user)
    service = lookups.find_service(body.service) if body.service not in (None, "") else None
    owner = lookups.find_user(body.owner) if body.owner not in (None, "") else None
    return Status(201, plans.create_plan(
        by=user, now=timezone.now(), title=body.title, shortfall=body.shortfall,
        agreement=agreement, service=service, customer_facing=body.customer_facing,
        targets=body.targets, breaches=body.breaches, milestones=body.milestones,
        owner=owner))


def _plan(request, plan_id: int):
    user = require(request, "view")
    found = _plans(user)
    if user.is_portal:
        found = found.filter(customer_facing=True)
    return user, get_object_or_404(found, pk=plan_id)


@router.get("/plans/{plan_id}", response=PlanDetail)
def get_plan(request, plan_id: int):
    """The plan, its progress (from its actions) and its measured effect."""
    return _plan(request, plan_id)[1]


@router.patch("/plans/{plan_id}", response=PlanOut)
def update_plan(request, plan_id: int, body: PlanPatch):
    user = _writer(request, "manage_actions")
    _, found = _plan(request, plan_id)
    return plans.update_plan(found, by=user, values=body.dict(exclude_unset=True),
                             now=timezone.now())


@router.post("/plans/{plan_id}/approve", response=PlanOut)
def approve_plan(request, plan_id: int):
    """An SLM approves; a customer-facing plan the customer's signatory."""
    user, found = _plan(request, plan_id)
    token = getattr(request, "api_token", None)
    if token is not None and not token.can_write:
        raise Forbidden("this API token is read-only")
    return plans.approve_plan(found, by=user, now=timezone.now())


# Risks ---------------------------------------------------------------------------------


def _risks(user):
    if user.is_portal:
        return Risk.objects.none()
    return Risk.objects.select_related("service", "agreement", "owner").prefetch_related(
        "actions")


def _risk_values(values: dict, user) -> dict:
    out = dict(values)
    if out.get("service") not in (None, ""):
        out["service"] = lookups.find_service(out["service"])
    elif "service" in out:
        out["service"] = None
    if out.get("agreement") not in (None, ""):
        out["agreement"] = lookups.find_agreement(out["agreement"], user)
    elif "agreement" in out:
        out["agreement"] = None
    if out.get("owner") not in (None, ""):
        out["owner"] = lookups.find_user(out["owner"])
    elif "owner" in out:
        out.pop("owner")
    if out.get("plan") is not None:
        plan = Plan.objects.filter(pk=out["plan"]).first()
        if plan is None:
            raise InvalidInput(f"no plan {out['plan']}", "plan")
        out["plan"] = plan
    return out


@router.get("/risks", response=list[RiskOut])
@paginate
def list_risks(request, service: str | None = None, agreement: str | None = None,
               status: str | None = None, min_score: int | None = None):
    """The register, highest score first."""
    user = require(request, "view")
    if user.is_portal:
        raise Forbidden("the risk register is internal")
    found = _risks(user)
    if service is not None:
        found = found.filter(service=lookups.find_service(service))
    if agreement is not None:
        found = found.filter(agreement=lookups.find_agreement(agreement, user))
    if status is not None:
        if status not in RiskState.values:
            raise InvalidInput(f"status must be one of {', '.join(RiskState.values)}",
                               "status")
        found = found.filter(status=status)
    if min_score is not None:
        found = found.filter(score__gte=min_score)
    return found


@router.post("/risks", response={201: RiskOut})
def create_risk(request, body: RiskIn):
    user = _writer(request, "manage_actions")
    values = _risk_values(body.dict(), user)
    return Status(201, risks.create_risk(by=user, now=timezone.now(), **values))


@router.get("/risks/{risk_id}", response=RiskOut)
def get_risk(request, risk_id: int):
    user = require(request, "view")
    return get_object_or_404(_risks(user), pk=risk_id)


@router.patch("/risks/{risk_id}", response=RiskOut)
def update_risk(request, risk_id: int, body: RiskPatch):
    user = _writer(request, "manage_actions")
    found = get_object_or_404(_risks(user), pk=risk_id)
    return risks.update_risk(found, by=user, values=_risk_values(body.dict(exclude_unset=True),
                                                                  user), now=timezone.now())
