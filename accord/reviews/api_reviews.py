"""``/reviews``: schedule, list (due, overdue), get (frozen figures and whether today's
differ), update (minutes, attendees, date held), open (freeze the figures), decisions,
verdicts, actions raised from it, close (minutes and a decision needed), and the pack."""

from datetime import timedelta

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from accord.accounts.auth import require
from accord.lib.errors import Forbidden, InvalidInput

from . import actions, lookups, reviews
from .choices import LIVE_REVIEW, ActionSource, ReviewKind, ReviewStatus
from .conf import setting
from .schemas import (
    ActionIn,
    ActionOut,
    DecisionOut,
    DecisionRecordIn,
    ReviewDetail,
    ReviewIn,
    ReviewOut,
    ReviewPatch,
    VerdictIn,
    VerdictOut,
)

router = Router(tags=["reviews"])


def _get(request, review_id: int, permission: str = "view"):
    user = require(request, permission)
    if permission != "view" and user.is_portal:
        raise Forbidden("portal users read reviews; they do not run them")
    return user, get_object_or_404(reviews.visible_reviews(user), pk=review_id)


@router.get("/reviews", response=list[ReviewOut])
@paginate
def list_reviews(request, agreement: str | None = None, kind: str | None = None,
                 status: str | None = None, due: bool | None = None,
                 overdue: bool | None = None):
    """Reviews, soonest due first. ``due=true``: live ones due within the notice days;
    ``overdue=true``: live ones past their date."""
    user = require(request, "view")
    found = reviews.visible_reviews(user)
    if agreement is not None:
        found = found.filter(agreement=lookups.find_agreement(agreement, user))
    if kind is not None:
        if kind not in ReviewKind.values:
            raise InvalidInput(f"kind must be one of {', '.join(ReviewKind.values)}", "kind")
        found = found.filter(kind=kind)
    if status is not None:
        if status not in ReviewStatus.values:
            raise InvalidInput(f"status must be one of {', '.join(ReviewStatus.values)}",
                               "status")
        found = found.filter(status=status)
    today = timezone.now().date()
    if due is not None:
        soon = found.filter(status__in=LIVE_REVIEW, due__gte=today, due__lte=today +
                            timedelta(days=setting("ACCORD_REVIEW_NOTICE_DAYS")))
        found = soon if due else found.exclude(pk__in=soon.values("pk"))
    if overdue is not None:
        late = found.filter(status__in=LIVE_REVIEW, due__lt=today)
        found = late if overdue else found.exclude(pk__in=late.values("pk"))
    return found


@router.post("/reviews", response={201: ReviewOut})
def create_review(request, body: ReviewIn):
    user = require(request, "run_reviews")
    agreement = lookups.find_agreement(body.agreement, user)
    return Status(201, reviews.schedule(agreement=agreement, kind=body.kind,
                                        period=body.period, due=body.due, by=user,
                                        now=timezone.now()))


@router.get("/reviews/{review_id}", response=ReviewDetail)
def get_review(request, review_id: int):
    return _get(request, review_id)[1]


@router.patch("/reviews/{review_id}", response=ReviewOut)
def update_review(request, review_id: int, body: ReviewPatch):
    user, found = _get(request, review_id, "record_minutes")
    return reviews.update_review(found, by=user, values=body.dict(exclude_unset=True),
                                 now=timezone.now())


@router.post("/reviews/{review_id}/open", response=ReviewDetail)
def open_review(request, review_id: int):
    """Freeze the compliance report of the period into the review."""
    user, found = _get(request, review_id, "run_reviews")
    return reviews.open_review(found, by=user, now=timezone.now())


@router.post("/reviews/{review_id}/decisions", response={201: DecisionOut})
def add_decision(request, review_id: int, body: DecisionRecordIn):
    """Who decided what, when; on a closed review only a correction (``corrects``)."""
    user, found = _get(request, review_id, "run_reviews")
    return Status(201, reviews.add_decision(found, by=user, who=body.who, what=body.what,
                                            decided_on=body.when, corrects=body.corrects,
                                            now=timezone.now()))


@router.post("/reviews/{review_id}/verdicts", response={201: VerdictOut})
def add_verdict(request, review_id: int, body: VerdictIn):
    """Keep, tighten, relax or retire a target: applied to the agreement's draft version."""
    user, found = _get(request, review_id, "run_reviews")
    return Status(201, reviews.record_verdict(
        found, by=user, target_id=body.target, verdict=body.verdict,
        objective_percent=body.objective_percent, duration_seconds=body.duration_seconds,
        note=body.note, now=timezone.now()))


@router.post("/reviews/{review_id}/actions", response={201: ActionOut})
def raise_action(request, review_id: int, body: ActionIn):
    """An action raised from the review (owner and due default as for any action)."""
    user, found = _get(request, review_id, "manage_actions")
    if found.is_closed:
        raise InvalidInput(f"review {found.pk} is closed: raise the action on its own",
                           "review")
    owner = lookups.find_user(body.owner) if body.owner not in (None, "") else None
    service = lookups.find_service(body.service) if body.service not in (None, "") else None
    return Status(201, actions.create_action(
        by=user, now=timezone.now(), title=body.title, owner=owner, due=body.due,
        description=body.description, agreement=found.agreement, service=service,
        depends_on=body.depends_on, source=ActionSource.REVIEW, extra={"review": found}))


@router.post("/reviews/{review_id}/close", response=ReviewDetail)
def close_review(request, review_id: int):
    """Close: needs minutes and at least one decision; then read-only."""
    user, found = _get(request, review_id, "run_reviews")
    return reviews.close_review(found, by=user, now=timezone.now())


@router.get("/reviews/{review_id}/pack", response={200: None})
def review_pack(request, review_id: int, format: str = "pdf"):
    """The review pack (frozen figures, minutes, decisions, actions) as PDF or XLSX."""
    from .pack import CONTENT_TYPES, render_pack

    user, found = _get(request, review_id)
    if format not in CONTENT_TYPES:
        raise InvalidInput("format must be pdf or xlsx", "format")
    response = HttpResponse(render_pack(found, format, now=timezone.now(), user=user),
                            content_type=CONTENT_TYPES[format])
    response["Content-Disposition"] = (f'attachment; filename="review-{found.pk}.{format}"')
    return response
