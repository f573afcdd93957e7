"""Administrators' governance settings: per-agreement review cadence and repeated-breach
threshold (``/governance/{agreement}``), and the leadership contacts of services and
customers (``/leadership/services/{id}``, ``/leadership/customers/{id}``) that escalations'
"leadership" recipients and the leadership view use."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from accord.accounts.auth import require
from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change
from accord.catalogue.models import Customer, Service
from accord.lib.errors import InvalidInput

from . import lookups
from .choices import Cadence
from .conf import setting
from .models import Governance

router = Router(tags=["governance settings"])


class GovernanceIn(Schema):
    cadence: str | None = None
    repeated_breaches: int | None = None


class GovernanceOut(Schema):
    agreement: str
    cadence: str
    repeated_breaches: int


class LeadershipIn(Schema):
    users: list[str | int]


def _governance_out(agreement, found):
    return {"agreement": agreement.reference,
            "cadence": found.cadence if found else Cadence.QUARTER,
            "repeated_breaches": found.repeated_breaches if found
            else setting("ACCORD_REPEATED_BREACHES")}


@router.get("/governance/{agreement}", response=GovernanceOut)
def get_governance(request, agreement: str):
    user = require(request, "view")
    found = lookups.find_agreement(agreement, user)
    return _governance_out(found, Governance.objects.filter(agreement=found).first())


@router.put("/governance/{agreement}", response=GovernanceOut)
def put_governance(request, agreement: str, body: GovernanceIn):
    user = require(request, "change_policy")
    found = lookups.find_agreement(agreement, user)
    values = body.dict(exclude_unset=True)
    if "cadence" in values and values["cadence"] not in Cadence.values:
        raise InvalidInput(f"cadence must be one of {', '.join(Cadence.values)}", "cadence")
    n = values.get("repeated_breaches")
    if "repeated_breaches" in values and (n is None or not 1 <= n <= 1000):
        raise InvalidInput("repeated_breaches must be from 1 to 1000", "repeated_breaches")
    with transaction.atomic():
        governance, _ = Governance.objects.get_or_create(
            agreement=found, defaults={"repeated_breaches": setting("ACCORD_REPEATED_BREACHES")})
        before = {"cadence": governance.cadence,
                  "repeated_breaches": governance.repeated_breaches}
        for name, value in values.items():
            setattr(governance, name, value)
        governance.save()
        record_change(user, governance, AuditAction.UPDATE, before=before,
                      after={"cadence": governance.cadence,
                             "repeated_breaches": governance.repeated_breaches})
    return _governance_out(found, governance)


def _set_leaders(request, party, body: LeadershipIn):
    user = require(request, "change_policy")
    leaders = [lookups.find_user(u, f"users.{i}") for i, u in enumerate(body.users)]
    before = sorted(party.leadership.values_list("username", flat=True))
    with transaction.atomic():
        party.leadership.set(leaders)
        record_change(user, party, AuditAction.UPDATE,
                      changes={"leadership": [before, sorted(u.username for u in leaders)]})
    return {"users": sorted(u.username for u in leaders)}


@router.get("/leadership/services/{service_id}", response=LeadershipIn)
def service_leaders(request, service_id: int):
    require(request, "view")
    service = get_object_or_404(Service, pk=service_id)
    return {"users": sorted(service.leadership.values_list("username", flat=True))}


@router.put("/leadership/services/{service_id}", response=LeadershipIn)
def set_service_leaders(request, service_id: int, body: LeadershipIn):
    return _set_leaders(request, get_object_or_404(Service, pk=service_id), body)


@router.get("/leadership/customers/{customer_id}", response=LeadershipIn)
def customer_leaders(request, customer_id: int):
    user = require(request, "view")
    found = get_object_or_404(Customer, pk=customer_id)
    if user.is_portal:
        require(request, "change_policy")
    return {"users": sorted(found.leadership.values_list("username", flat=True))}


@router.put("/leadership/customers/{customer_id}", response=LeadershipIn)
def set_customer_leaders(request, customer_id: int, body: LeadershipIn):
    return _set_leaders(request, get_object_or_404(Customer, pk=customer_id), body)
