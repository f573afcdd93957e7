"""``/actions``: list (filters, paginated), create, get, update, close with evidence."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from accord.accounts.auth import require
from accord.lib.errors import Forbidden, InvalidInput

from . import actions, lookups, reviews
from .choices import LIVE_ACTION, ActionSource, ActionStatus
from .models import Plan, Risk
from .schemas import ActionIn, ActionOut, ActionPatch, CloseIn

router = Router(tags=["actions"])


def _viewer(request):
    user = require(request, "view")
    if user.is_portal:
        raise Forbidden("actions are internal")
    return user


def _writer(request):
    user = _viewer(request)
    token = getattr(request, "api_token", None)
    if token is not None and not token.can_write:
        raise Forbidden("this API token is read-only")
    return user


@router.get("/actions", response=list[ActionOut])
@paginate
def list_actions(request, status: str | None = None, owner: str | None = None,
                 agreement: str | None = None, service: str | None = None,
                 source: str | None = None, overdue: bool | None = None,
                 clock: int | None = None, review: int | None = None,
                 plan: int | None = None, risk: int | None = None):
    """Actions, soonest due first. ``status`` takes one status or ``live`` (open, in
    progress, blocked); ``overdue=true`` the live ones past their due date."""
    found = actions.visible_actions(_viewer(request))
    if status == "live":
        found = found.filter(status__in=LIVE_ACTION)
    elif status is not None:
        if status not in ActionStatus.values:
            raise InvalidInput(f"status must be live or one of {', '.join(ActionStatus.values)}",
                               "status")
        found = found.filter(status=status)
    if owner is not None:
        found = found.filter(owner=lookups.find_user(owner))
    if agreement is not None:
        found = found.filter(agreement=lookups.find_agreement(agreement))
    if service is not None:
        found = found.filter(service=lookups.find_service(service))
    if source is not None:
        if source not in ActionSource.values:
            raise InvalidInput(f"source must be one of {', '.join(ActionSource.values)}",
                               "source")
        found = found.filter(source=source)
    if clock is not None:
        found = found.filter(clock_id=clock)
    if review is not None:
        found = found.filter(review_id=review)
    if plan is not None:
        found = found.filter(plan_id=plan)
    if risk is not None:
        found = found.filter(risk_id=risk)
    if overdue is not None:
        today = timezone.now().date()
        late = found.filter(status__in=LIVE_ACTION, due__lt=today)
        found = late if overdue else found.exclude(pk__in=late.values("pk"))
    return found


@router.post("/actions", response={201: ActionOut})
def create_action(request, body: ActionIn):
    """Raise an action: ``owner`` a username or id (default: the agreement's owner, else the
    service owner), ``due`` a date (default: ACCORD_ACTION_DUE_DAYS ahead); ``agreement`` a
    reference or id, ``service`` a name or id, ``clock`` an id (one click on a breach)."""
    user = _writer(request)
    require(request, "manage_actions")
    now = timezone.now()
    owner = lookups.find_user(body.owner) if body.owner not in (None, "") else None
    agreement = (lookups.find_agreement(body.agreement) if body.agreement not in (None, "")
                 else None)
    service = lookups.find_service(body.service) if body.service not in (None, "") else None
    clock = actions.clock_for(body.clock) if body.clock is not None else None
    source = ActionSource.BREACH if clock is not None else ActionSource.MANUAL
    extra = {}
    if body.review is not None:
        review = reviews.visible_reviews(user).filter(pk=body.review).first()
        if review is None:
            raise InvalidInput(f"no review {body.review}", "review")
        extra["review"], source = review, ActionSource.REVIEW
        agreement = agreement or review.agreement
    if body.plan is not None:
        plan = Plan.objects.filter(pk=body.plan).first()
        if plan is None:
            raise InvalidInput(f"no plan {body.plan}", "plan")
        extra["plan"], source = plan, ActionSource.PLAN
        agreement = agreement or plan.agreement
    if body.risk is not None:
        risk = Risk.objects.filter(pk=body.risk).first()
        if risk is None:
            raise InvalidInput(f"no risk {body.risk}", "risk")
        extra["risk"], source = risk, ActionSource.RISK
        service = service or risk.service
    made = actions.create_action(by=user, now=now, title=body.title, owner=owner, due=body.due,
                                 description=body.description, agreement=agreement,
                                 service=service, clock=clock, depends_on=body.depends_on,
                                 source=source, extra=extra)
    return Status(201, made)


@router.get("/actions/{action_id}", response=ActionOut)
def get_action(request, action_id: int):
    return get_object_or_404(actions.visible_actions(_viewer(request)), pk=action_id)


@router.patch("/actions/{action_id}", response=ActionOut)
def update_action(request, action_id: int, body: ActionPatch):
    user = _writer(request)
    found = get_object_or_404(actions.visible_actions(user), pk=action_id)
    return actions.update_action(found, by=user, values=body.dict(exclude_unset=True),
                                 now=timezone.now())


@router.post("/actions/{action_id}/close", response=ActionOut)
def close_action(request, action_id: int, body: CloseIn):
    """Done, with closure evidence (required: an empty text is refused)."""
    user = _writer(request)
    found = get_object_or_404(actions.visible_actions(user), pk=action_id)
    return actions.close_action(found, by=user, evidence=body.evidence, now=timezone.now(),
                                documents=body.documents)
