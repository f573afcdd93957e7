"""Service improvement plans: proposed (service owner up), approved before they start (an SLM;
for a customer-facing plan the customer's signatory), progress rolled up from their actions
in the database, and their measured effect: each addressed target's compliance in the month
before the plan started and in the latest full month since, from the reporting function."""

from datetime import date

from django.db import transaction
from django.db.models import Avg, Case, F, FloatField, Value, When

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change, snapshot
from accord.agreements.models import Target
from accord.lib.errors import DomainError, Forbidden, InvalidInput
from accord.measurement.models import Clock
from accord.reporting.compliance import compliance_report, target_key
from accord.reporting.periods import Period

from .choices import ActionStatus, PlanStatus
from .models import Action, Plan


def _milestones(value) -> list:
    if not isinstance(value, list):
        raise InvalidInput("milestones must be a list of {title, due, done}", "milestones")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not str(item.get("title", "")).strip():
            raise InvalidInput("each milestone needs a title", f"milestones.{i}.title")
        due = item.get("due")
        if due is not None:
            try:
                due = date.fromisoformat(str(due)).isoformat()
            except ValueError:
                raise InvalidInput("due must be a date (2025-05-01)", f"milestones.{i}.due")
        out.append({"title": str(item["title"]).strip()[:200], "due": due,
                    "done": bool(item.get("done", False))})
    return out


def _targets(agreement, ids) -> list:
    found = Target.objects.filter(pk__in=ids or [], version__agreement=agreement).in_bulk()
    for i, pk in enumerate(ids or []):
        if pk not in found:
            raise InvalidInput(f"{agreement.reference} has no target {pk}", f"targets.{i}")
    return list(found.values())


def _breaches(agreement, ids) -> list:
    found = Clock.objects.filter(pk__in=ids or [], agreement=agreement).in_bulk()
    for i, pk in enumerate(ids or []):
        if pk not in found:
            raise InvalidInput(f"{agreement.reference} has no clock {pk}", f"breaches.{i}")
    return list(found.values())


def create_plan(*, by, now, title, shortfall, agreement, service=None, customer_facing=False,
                targets=(), breaches=(), milestones=(), owner=None) -> Plan:
    title, shortfall = (title or "").strip(), (shortfall or "").strip()
    if not title:
        raise InvalidInput("title is required", "title")
    if not shortfall:
        raise InvalidInput("shortfall is required: what falls short", "shortfall")
    addressed, clocks = _targets(agreement, targets), _breaches(agreement, breaches)
    with transaction.atomic():
        plan = Plan.objects.create(
            title=title[:200], shortfall=shortfall, agreement=agreement, service=service,
            customer_facing=customer_facing, milestones=_milestones(list(milestones)),
            owner=owner or by, proposed_by=by, created_at=now)
        plan.targets.set(addressed)
        plan.breaches.set(clocks)
        record_change(by, plan, AuditAction.CREATE, message="plan proposed")
    return plan


EDITABLE = {"title", "shortfall", "milestones", "targets", "breaches", "customer_facing",
            "status"}


def update_plan(plan: Plan, *, by, values: dict, now) -> Plan:
    unknown = set(values) - EDITABLE
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"{name} cannot be changed here", name)
    if plan.status in (PlanStatus.COMPLETED, PlanStatus.CANCELLED):
        raise DomainError(f"plan {plan.pk} is {plan.status}", "status")
    terms = {"title", "shortfall", "targets", "breaches", "customer_facing"}
    if plan.status != PlanStatus.DRAFT and terms & set(values):
        raise DomainError("an approved plan's terms are fixed; only milestones and status "
                          "change", sorted(terms & set(values))[0])
    before = snapshot(plan)
    if "title" in values:
        plan.title = (values["title"] or "").strip()[:200] or plan.title
    if "shortfall" in values:
        plan.shortfall = (values["shortfall"] or "").strip() or plan.shortfall
    if "customer_facing" in values:
        plan.customer_facing = bool(values["customer_facing"])
    if "milestones" in values:
        plan.milestones = _milestones(values["milestones"])
    if "status" in values:
        status = values["status"]
        allowed = {PlanStatus.STARTED: {PlanStatus.APPROVED},
                   PlanStatus.COMPLETED: {PlanStatus.STARTED},
                   PlanStatus.CANCELLED: {PlanStatus.DRAFT, PlanStatus.APPROVED,
                                          PlanStatus.STARTED}}
        if status not in allowed:
            raise InvalidInput("status may be set to started, completed or cancelled "
                               "(approval: POST /plans/{id}/approve)", "status")
        if plan.status not in allowed[status]:
            raise DomainError(f"a {plan.status} plan cannot become {status}"
                              + (" (approve it first)" if status == PlanStatus.STARTED
                                 else ""), "status")
        plan.status = status
        if status == PlanStatus.STARTED:
            plan.started_at = now
    with transaction.atomic():
        plan.save()
        if "targets" in values:
            plan.targets.set(_targets(plan.agreement, values["targets"]))
        if "breaches" in values:
            plan.breaches.set(_breaches(plan.agreement, values["breaches"]))
        record_change(by, plan, AuditAction.UPDATE, before=before, after=snapshot(plan))
    return plan


def may_approve(user, plan: Plan) -> bool:
    if plan.customer_facing:
        return plan.agreement.counterparty_signatories().filter(pk=user.pk).exists()
    return not user.is_portal and user.can("run_reviews")


def approve_plan(plan: Plan, *, by, now) -> Plan:
    if not may_approve(by, plan):
        raise Forbidden("a customer-facing plan is approved by the customer's signatory"
                        if plan.customer_facing else
                        "only a service level manager may approve a plan")
    with transaction.atomic():
        won = Plan.objects.filter(pk=plan.pk, status=PlanStatus.DRAFT).update(
            status=PlanStatus.APPROVED, approved_by=by, approved_at=now)
        if won != 1:
            raise DomainError(f"plan {plan.pk} is {plan.status}, not a draft", "status")
        plan.refresh_from_db()
        record_change(by, plan, AuditAction.APPROVE,
                      changes={"status": [PlanStatus.DRAFT, PlanStatus.APPROVED]},
                      message="plan approved")
    return plan


def progress(plan: Plan) -> float | None:
    """The mean progress of its actions (done: 100 %, cancelled ones left out), in the
    database; None without actions."""
    value = (Action.objects.filter(plan=plan).exclude(status=ActionStatus.CANCELLED)
             .aggregate(p=Avg(Case(When(status=ActionStatus.DONE, then=Value(100.0)),
                                   default=F("progress"), output_field=FloatField())))["p"])
    return round(value, 1) if value is not None else None


def effect(plan: Plan, now) -> list[dict]:
    """Per addressed target (by key, across versions): compliance in the month before the
    plan started (or was approved) and in the latest full month since (null until one has
    passed)."""
    agreement = plan.agreement
    zone = agreement.reporting_zone
    start = plan.started_at or plan.approved_at
    if start is None:
        return [{"target": t.pk, "key": target_key(t), "before": None, "after": None}
                for t in plan.targets.select_related("service")]
    started = Period.containing("month", start, tz=zone)
    before = compliance_report(agreement, started.shift(-1), now=now)
    latest = Period.containing("month", now, tz=zone).shift(-1)
    after = (compliance_report(agreement, latest, now=now)
             if latest.start_utc >= started.start_utc else None)

    def percent(report, key):
        if report is None:
            return None
        rows = [r for r in report["targets"] if r["key"] == key]
        return rows[-1]["compliance_percent"] if rows else None

    out = []
    for target in plan.targets.select_related("service"):
        key = target_key(target)
        out.append({"target": target.pk, "key": key,
                    "before": {"period": before["period_label"],
                               "compliance_percent": percent(before, key)},
                    "after": ({"period": after["period_label"],
                               "compliance_percent": percent(after, key)} if after else None)})
    return out
