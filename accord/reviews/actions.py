"""Actions: owned work with a due date, closed only with evidence. Every change is audited.

An action raised without a person gets the agreement's owner, else the service owner; without
a due date, ``ACCORD_ACTION_DUE_DAYS`` days ahead. Automatically raised actions carry an
``auto_key`` (unique), so two workers raising the same one create it once.
"""

from datetime import date, timedelta

from django.db import IntegrityError, transaction

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change, snapshot
from accord.lib.errors import DomainError, Forbidden, InvalidInput
from accord.measurement.models import Clock

from . import lookups
from .choices import LIVE_ACTION, ActionSource, ActionStatus, RiskStatus
from .conf import setting
from .models import Action

MAX_TITLE = 200


def visible_actions(user):
    if not user.is_authenticated or user.is_portal:
        return Action.objects.none()
    return Action.objects.select_related("owner", "agreement", "service").prefetch_related(
        "depends_on")


def may_change(user, action: Action) -> bool:
    """SLMs change any action; its owner theirs; a service owner those of their services and
    those they raised."""
    if user.is_portal or not user.is_active:
        return False
    if user.can("run_reviews") or action.owner_id == user.pk:
        return True
    if not user.can("manage_actions"):
        return False
    return action.created_by_id == user.pk or (
        action.service_id is not None and action.service.owner_id == user.pk)


def default_owner(agreement=None, service=None):
    if agreement is not None and agreement.owner_id:
        return agreement.owner
    if service is not None and service.owner_id:
        return service.owner
    return None


def default_due(now) -> date:
    return now.date() + timedelta(days=setting("ACCORD_ACTION_DUE_DAYS"))


def _title(value) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput("title is required", "title")
    if len(text) > MAX_TITLE:
        raise InvalidInput(f"title is longer than {MAX_TITLE} characters", "title")
    return text


def _depends(ids, action: Action | None = None) -> list[Action]:
    ids = list(dict.fromkeys(ids or []))
    found = Action.objects.in_bulk(ids)
    for i, pk in enumerate(ids):
        if pk not in found:
            raise InvalidInput(f"no action {pk}", f"depends_on.{i}")
        if action is not None and pk == action.pk:
            raise InvalidInput("an action cannot depend on itself", f"depends_on.{i}")
    if action is not None:  # no cycles: nothing it depends on may (transitively) depend on it
        frontier, seen = set(ids), set()
        while frontier:
            if action.pk in frontier:
                raise InvalidInput("these dependencies would form a cycle", "depends_on")
            seen |= frontier
            frontier = set(Action.depends_on.through.objects.filter(
                from_action_id__in=frontier).values_list("to_action_id", flat=True)) - seen
    return [found[pk] for pk in ids]


def create_action(*, by, now, title, owner=None, due=None, description="", agreement=None,
                  service=None, clock=None, depends_on=None, source=ActionSource.MANUAL,
                  auto_key=None, escalation=None, extra=None) -> Action:
    """Raise an action. ``agreement``/``service``/``clock`` are objects; ``owner`` a user or
    None (then the agreement's owner, else the service owner); ``due`` a date or None."""
    title = _title(title)
    if clock is not None:
        agreement = agreement or clock.agreement
        service = service or clock.ticket.service
    if service is None and agreement is not None:
        service = agreement.single_service()
    owner = owner or default_owner(agreement, service)
    due = due or default_due(now)
    deps = _depends(depends_on)
    action = Action(title=title, description=description or "", owner=owner, due=due,
                    agreement=agreement, service=service, clock=clock, source=source,
                    auto_key=auto_key, escalation=escalation, created_at=now,
                    created_by=by if by is not None and by.pk else None, **(extra or {}))
    with transaction.atomic():
        action.save()
        if deps:
            action.depends_on.set(deps)
        record_change(by, action, AuditAction.CREATE, message=f"action raised ({source})")
    return action


def create_once(*, key: str, **values) -> Action | None:
    """``create_action`` with a unique ``auto_key``: None if another worker (or an earlier
    pass) raised it already."""
    if Action.objects.filter(auto_key=key).exists():
        return None
    try:
        with transaction.atomic():
            return create_action(auto_key=key, **values)
    except IntegrityError:
        return None


UPDATABLE = {"title", "description", "owner", "due", "status", "progress", "risk_status",
             "depends_on", "agreement", "service"}


def update_action(action: Action, *, by, values: dict, now) -> Action:
    if not may_change(by, action):
        raise Forbidden("only the action's owner, its service owner or a service level "
                        "manager may change it")
    if action.status not in LIVE_ACTION:
        raise DomainError(f"action {action.pk} is {action.status}: it can no longer change",
                          "status")
    unknown = set(values) - UPDATABLE
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"{name} cannot be changed here", name)
    before = snapshot(action)
    deps = None
    if "title" in values:
        action.title = _title(values["title"])
    if "description" in values:
        action.description = values["description"] or ""
    if "owner" in values:
        action.owner = lookups.find_user(values["owner"])
    if "due" in values:
        if values["due"] is None:
            raise InvalidInput("due cannot be empty", "due")
        action.due = values["due"]
    if "agreement" in values:
        action.agreement = (lookups.find_agreement(values["agreement"])
                            if values["agreement"] is not None else None)
    if "service" in values:
        action.service = (lookups.find_service(values["service"])
                          if values["service"] is not None else None)
    if "progress" in values:
        progress = values["progress"]
        if not isinstance(progress, int) or not 0 <= progress <= 100:
            raise InvalidInput("progress must be a whole percent from 0 to 100", "progress")
        action.progress = progress
    if "risk_status" in values:
        risk = values["risk_status"] or ""
        if risk and risk not in RiskStatus.values:
            raise InvalidInput(f"risk_status must be empty or one of "
                               f"{', '.join(RiskStatus.values)}", "risk_status")
        action.risk_status_set = risk
    if "status" in values:
        status = values["status"]
        if status == ActionStatus.DONE:
            raise InvalidInput("an action is done only through POST /actions/{id}/close with "
                               "evidence", "status")
        if status not in ActionStatus.values:
            raise InvalidInput(f"status must be one of {', '.join(ActionStatus.values)}",
                               "status")
        action.status = status
        if status == ActionStatus.CANCELLED:
            action.closed_at, action.closed_by = now, by
    if "depends_on" in values:
        deps = _depends(values["depends_on"], action)
    with transaction.atomic():
        action.save()
        if deps is not None:
            action.depends_on.set(deps)
        record_change(by, action, AuditAction.UPDATE, before=before, after=snapshot(action))
    return action


def close_action(action: Action, *, by, evidence: str, now, documents=()) -> Action:
    """Mark done with closure evidence (required: text, plus the ids of documents attached
    to the action); its dependencies must be finished."""
    if not may_change(by, action):
        raise Forbidden("only the action's owner, its service owner or a service level "
                        "manager may close it")
    text = (evidence or "").strip()
    if not text:
        raise InvalidInput("evidence is required to close an action", "evidence")
    attached = set(action.documents.values_list("pk", flat=True))
    for i, pk in enumerate(documents or []):
        if pk not in attached:
            raise InvalidInput(f"document {pk} is not attached to action {action.pk}",
                               f"documents.{i}")
    if documents:
        text += "\nDocuments: " + ", ".join(f"#{pk}" for pk in documents)
    waiting = action.depends_on.filter(status__in=LIVE_ACTION)
    if waiting.exists():
        ids = ", ".join(str(pk) for pk in waiting.values_list("pk", flat=True))
        raise DomainError(f"action {action.pk} waits for action(s) {ids}", "depends_on")
    before = snapshot(action)
    with transaction.atomic():
        done = Action.objects.filter(pk=action.pk, status__in=LIVE_ACTION).update(
            status=ActionStatus.DONE, evidence=text, progress=100, closed_at=now, closed_by=by)
        if done != 1:
            raise DomainError(f"action {action.pk} is not open", "status")
        action.refresh_from_db()
        record_change(by, action, AuditAction.TRANSITION, before=before,
                      after=snapshot(action), message="action closed with evidence")
    return action


def clock_for(clock_id, field: str = "clock") -> Clock:
    found = Clock.objects.select_related("agreement", "ticket__service").filter(
        pk=clock_id).first()
    if found is None:
        raise InvalidInput(f"no clock {clock_id}", field)
    return found
