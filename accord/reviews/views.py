"""Governance pages: reviews (list, a review with its frozen figures, minutes, decisions,
actions, pack downloads, opening and closing), actions (list, close with evidence) and the
leadership view. Views parse the form, check the role and call the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accord.catalogue.views import forbidden, page_of
from accord.lib.errors import DomainError
from accord.measurement.clock_queries import clocks_visible_to
from accord.reporting.queries import find_agreement

from . import actions, leadership, reviews
from .choices import LIVE_ACTION, LIVE_REVIEW, ActionSource
from .feedback import review_feedback


def _internal(request):
    return None if not request.user.is_portal else forbidden(
        request, "actions and the leadership view are internal")


@login_required
def review_list(request):
    today = timezone.now().date()
    show = request.GET.get("show", "live")
    if show == "due":  # what the dashboard's two review cards count
        found = leadership.due_reviews(request.user, today)
    elif show == "overdue":
        found = leadership.overdue_reviews(request.user, today)
    elif show == "all":
        found = reviews.visible_reviews(request.user)
    else:
        show, found = "live", reviews.visible_reviews(request.user).filter(
            status__in=LIVE_REVIEW)
    return render(request, "reviews/review_list.html", {
        **page_of(request, found), "show": show, "today": today})


@login_required
def review_detail(request, pk: int):
    review = get_object_or_404(reviews.visible_reviews(request.user), pk=pk)
    now = timezone.now()
    user = request.user
    return render(request, "reviews/review_detail.html", {
        "review": review, "figures": review.figures or {},
        "differ": reviews.figures_differ(review, now),
        "decisions": review.decisions.select_related("recorded_by"),
        "verdicts": review.verdicts.select_related("target", "draft"),
        "actions": review.actions.select_related("owner") if not user.is_portal else [],
        "may_run": not user.is_portal and user.can("run_reviews"),
        "may_minute": not user.is_portal and user.can("record_minutes"),
        "may_raise": not user.is_portal and user.can("manage_actions"),
        # A missed objective of the frozen figures links to its investigation.
        "may_investigate": not user.is_portal,
        "feedback": review_feedback(review, now, user), "today": now.date()})


def _run(request, pk, permission, fn, done: str):
    review = get_object_or_404(reviews.visible_reviews(request.user), pk=pk)
    if request.user.is_portal or not request.user.can(permission):
        return forbidden(request, f"your role ({request.user.role}) may not "
                                  f"{permission.replace('_', ' ')}")
    try:
        fn(review)
        messages.success(request, done)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("reviews:review", pk=review.pk)


@login_required
@require_POST
def review_open(request, pk: int):
    return _run(request, pk, "run_reviews", lambda r: reviews.open_review(
        r, by=request.user, now=timezone.now()), "Review opened: figures frozen.")


@login_required
@require_POST
def review_minutes(request, pk: int):
    return _run(request, pk, "record_minutes", lambda r: reviews.update_review(
        r, by=request.user, now=timezone.now(), values={
            "minutes": request.POST.get("minutes", ""),
            "attendees": [line.strip() for line in request.POST.get("attendees", "")
                          .splitlines() if line.strip()]}), "Minutes saved.")


@login_required
@require_POST
def review_decision(request, pk: int):
    return _run(request, pk, "run_reviews", lambda r: reviews.add_decision(
        r, by=request.user, now=timezone.now(), who=request.POST.get("who", ""),
        what=request.POST.get("what", ""), decided_on=None), "Decision recorded.")


@login_required
@require_POST
def review_action(request, pk: int):
    def raise_it(review):
        actions.create_action(by=request.user, now=timezone.now(),
                              title=request.POST.get("title", ""), agreement=review.agreement,
                              source=ActionSource.REVIEW, extra={"review": review})
    return _run(request, pk, "manage_actions", raise_it, "Action raised.")


@login_required
@require_POST
def review_close(request, pk: int):
    return _run(request, pk, "run_reviews", lambda r: reviews.close_review(
        r, by=request.user, now=timezone.now()), "Review closed.")


@login_required
def action_raise(request):
    """One click on a breached clock or a watermelon flag: an action owned by the agreement's
    owner (else the service owner), due in the configured number of days. A GET (a bookmark,
    a crawler) goes to the actions list."""
    if request.method != "POST":
        return redirect("reviews:actions")
    user = request.user
    if user.is_portal or not user.can("manage_actions"):
        return forbidden(request, f"your role ({user.role}) may not raise actions")
    clock_id, agreement_id = request.POST.get("clock", ""), request.POST.get("agreement", "")
    clock = (get_object_or_404(clocks_visible_to(user), pk=int(clock_id))
             if clock_id.isdigit() else None)
    agreement = find_agreement(agreement_id, user) if agreement_id else None
    try:
        made = actions.create_action(
            by=user, now=timezone.now(), title=request.POST.get("title", ""),
            description=request.POST.get("description", ""), agreement=agreement, clock=clock,
            source=ActionSource.BREACH if clock is not None else ActionSource.MANUAL)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reviews:actions")
    messages.success(request, f"Action raised for {made.owner or 'nobody yet'}, due {made.due}.")
    return redirect("reviews:action", pk=made.pk)


@login_required
def action_list(request):
    if refused := _internal(request):
        return refused
    found = actions.visible_actions(request.user).select_related("review")
    show = request.GET.get("show", "live")
    if show == "live":
        found = found.filter(status__in=LIVE_ACTION)
    elif show == "mine":
        found = found.filter(owner=request.user, status__in=LIVE_ACTION)
    return render(request, "reviews/action_list.html", {
        **page_of(request, found), "show": show, "today": timezone.now().date()})


@login_required
def action_detail(request, pk: int):
    if refused := _internal(request):
        return refused
    action = get_object_or_404(actions.visible_actions(request.user), pk=pk)
    if request.method == "POST":
        try:
            actions.close_action(action, by=request.user, now=timezone.now(),
                                 evidence=request.POST.get("evidence", ""))
            messages.success(request, "Action closed.")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("reviews:action", pk=action.pk)
    return render(request, "reviews/action_detail.html", {
        "action": action, "today": timezone.now().date(),
        "may_close": actions.may_change(request.user, action),
        "documents": action.documents.prefetch_related("versions")})


@login_required
def leadership_view(request):
    if refused := _internal(request):
        return refused
    return render(request, "reviews/leadership.html",
                  leadership.overview(request.user, timezone.now()))
