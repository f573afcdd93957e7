"""The leadership view: which service risks need action, on one screen — decisions needed
(pending exclusions, plans awaiting approval, open reviews without a decision), off-track
actions and plans, risks by score, reviews overdue. Also the dashboard cards' figures."""

from datetime import timedelta

from django.db.models import Count, Q

from accord.measurement.choices import ExclusionStatus

from .choices import LIVE_ACTION, LIVE_REVIEW, PlanStatus, ReviewStatus, RiskState, RiskStatus
from .exclusions import visible_exclusions
from .models import Action, Plan, Review, Risk

LIMIT = 20


def off_track_actions(today):
    """Live actions past due, or set off track by hand (the database decides)."""
    return (Action.objects.filter(status__in=LIVE_ACTION)
            .filter(Q(due__lt=today) | Q(risk_status_set=RiskStatus.OFF_TRACK))
            .select_related("owner", "service", "agreement"))


def overdue_reviews(user, today):
    """Scheduled or open reviews past their due date (the "Reviews overdue" card)."""
    from .reviews import visible_reviews

    return visible_reviews(user).filter(status__in=LIVE_REVIEW, due__lt=today)


def due_reviews(user, today):
    """Scheduled or open reviews due from today to the notice days ahead (the "Reviews due"
    card); overdue ones are not among them."""
    from .conf import setting
    from .reviews import visible_reviews

    soon = today + timedelta(days=setting("ACCORD_REVIEW_NOTICE_DAYS"))
    return visible_reviews(user).filter(status__in=LIVE_REVIEW, due__gte=today, due__lte=soon)


def overview(user, now) -> dict:
    today = now.date()
    late_actions = off_track_actions(today)
    plans = list(Plan.objects.filter(status__in=[PlanStatus.APPROVED, PlanStatus.STARTED])
                 .select_related("agreement")
                 .annotate(late=Count("actions", filter=Q(
                     actions__status__in=LIVE_ACTION, actions__due__lt=today))))
    off_plans = [p for p in plans if p.late or any(
        not m.get("done") and m.get("due") and m["due"] < today.isoformat()
        for m in p.milestones)]
    return {
        "today": today,
        "pending_exclusions": visible_exclusions(user).filter(
            status=ExclusionStatus.PENDING)[:LIMIT],
        "plans_to_approve": Plan.objects.filter(status=PlanStatus.DRAFT).select_related(
            "agreement")[:LIMIT],
        "reviews_undecided": Review.objects.filter(status=ReviewStatus.OPEN).annotate(
            n=Count("decisions")).filter(n=0).select_related("agreement")[:LIMIT],
        "off_track_actions": late_actions[:LIMIT],
        "off_track_actions_count": late_actions.count(),
        "off_track_plans": off_plans[:LIMIT],
        "risks": Risk.objects.exclude(status=RiskState.CLOSED).select_related(
            "service", "agreement", "owner")[:LIMIT],
        "reviews_overdue": overdue_reviews(user, today)[:LIMIT],
    }


def card_figures(user, now) -> dict:
    """The dashboard cards. Both review cards count the same thing, scheduled or open review
    meetings (performance and agreement reviews), split by due date: due in the next notice
    days, or past their due date."""
    from .conf import setting

    today = now.date()
    late = overdue_reviews(user, today)
    oldest = late.order_by("due").values_list("due", flat=True).first()
    return {
        "actions_overdue": (0 if user.is_portal else Action.objects.filter(
            status__in=LIVE_ACTION, due__lt=today).count()),
        "reviews_due": due_reviews(user, today).count(),
        "reviews_late": late.count(),
        "oldest_late_days": (today - oldest).days if oldest else None,
        "notice_days": setting("ACCORD_REVIEW_NOTICE_DAYS"),
    }
