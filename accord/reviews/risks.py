"""The risk register per service and agreement: likelihood × impact = score, owner,
mitigation actions (actions with ``risk``), status, review date. Service owners manage the
risks of their services; service level managers any."""

from django.db import transaction

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change, snapshot
from accord.lib.errors import Forbidden, InvalidInput

from .choices import RiskState
from .models import Risk

FIELDS = {"title", "description", "likelihood", "impact", "owner", "status", "review_date",
          "service", "agreement", "plan"}


def may_change(user, service) -> bool:
    if user.is_portal:
        return False
    if user.can("run_reviews"):
        return True
    return (user.can("manage_actions") and service is not None
            and service.owner_id == user.pk)


def _check(values: dict) -> None:
    for name in ("likelihood", "impact"):
        if name in values:
            v = values[name]
            if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 5:
                raise InvalidInput(f"{name} must be a whole number from 1 to 5", name)
    if "status" in values and values["status"] not in RiskState.values:
        raise InvalidInput(f"status must be one of {', '.join(RiskState.values)}", "status")
    if "title" in values and not (values["title"] or "").strip():
        raise InvalidInput("title is required", "title")


def create_risk(*, by, now, **values) -> Risk:
    _check(values)
    if values.get("service") is None and values.get("agreement") is None:
        raise InvalidInput("a risk belongs to a service or an agreement (or both)", "service")
    if not may_change(by, values.get("service")):
        raise Forbidden("service owners register risks of their own services; service level "
                        "managers any")
    values.setdefault("owner", by)
    with transaction.atomic():
        risk = Risk(created_at=now, **{k: v for k, v in values.items() if k in FIELDS})
        risk.title = risk.title.strip()[:200]
        risk.save()
        record_change(by, risk, AuditAction.CREATE, message="risk registered")
    return risk


def update_risk(risk: Risk, *, by, values: dict, now) -> Risk:
    unknown = set(values) - FIELDS
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"{name} cannot be changed", name)
    _check(values)
    if not may_change(by, risk.service) and risk.owner_id != by.pk:
        raise Forbidden("only the risk's owner, its service owner or a service level manager "
                        "may change it")
    before = snapshot(risk)
    for name, value in values.items():
        setattr(risk, name, value.strip() if isinstance(value, str) and name == "title"
                else value)
    with transaction.atomic():
        risk.save()
        record_change(by, risk, AuditAction.UPDATE, before=before, after=snapshot(risk))
    return risk
