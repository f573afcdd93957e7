"""Scheduling reviews and reminding people of them (worker steps).

Each agreement in force (active or under review, with a signed version) has a performance
review per cadence period (its governance ``cadence``, quarterly by default), due
``ACCORD_REVIEW_LEAD_DAYS`` after the period's last day, scheduled once the period has begun; and an
agreement review of the version in force, due on its ``review_due``. The agreement owner is
reminded ``ACCORD_REVIEW_NOTICE_DAYS`` before the date, the service level managers once it is
overdue (outbox keys ``review:ID:upcoming:owner`` and ``review:ID:overdue:USERNAME``).
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from accord.accounts.choices import AuditAction, Role
from accord.accounts.models import User
from accord.accounts.services import record_change
from accord.agreements.choices import AgreementStatus
from accord.agreements.models import Agreement
from accord.agreements.queries import next_review_due
from accord.reporting.periods import Period

from . import reminders
from .choices import LIVE_REVIEW, Cadence, ReviewKind
from .conf import setting
from .models import Governance, Review

IN_FORCE = (AgreementStatus.ACTIVE, AgreementStatus.UNDER_REVIEW)
BATCH = 20


def expected_reviews(agreement, cadence: str, now: datetime) -> list[tuple]:
    """(kind, period label, due date) of the reviews ``agreement`` should have by ``now``."""
    found = []
    zone = agreement.reporting_zone
    current = Period.containing(cadence, now, tz=zone)
    last_day = current.end_utc.astimezone(current.zone).date() - timedelta(days=1)
    due = last_day + timedelta(days=setting("ACCORD_REVIEW_LEAD_DAYS"))
    found.append((ReviewKind.PERFORMANCE, current.label, due))
    version = agreement.version_in_force(now)
    due_at = next_review_due(agreement, now) if version is not None else None
    if due_at is not None:
        # The version's first review is "v3"; once a review restarted the cycle
        # (last_reviewed_at), the next one is labelled with its date: "v3 2027-03-01".
        day = due_at.astimezone(current.zone).date()
        label = f"v{version.number}"
        if due_at != version.review_due:
            label = f"{label} {day.isoformat()}"
        found.append((ReviewKind.AGREEMENT, label, day))
    return found


def schedule_reviews(now: datetime, worker_id: str = "worker") -> bool:
    """Create the missing scheduled reviews of the agreements in force (a few per pass)."""
    agreements = list(Agreement.objects.filter(status__in=IN_FORCE)
                      .select_related("calendar", "customer").prefetch_related("versions"))
    if not agreements:
        return False
    cadences = dict(Governance.objects.values_list("agreement_id", "cadence"))
    have = set(Review.objects.filter(agreement__in=agreements)
               .values_list("agreement_id", "kind", "period"))
    made = 0
    for agreement in agreements:
        for kind, label, due in expected_reviews(
                agreement, cadences.get(agreement.pk, Cadence.QUARTER), now):
            if (agreement.pk, kind, label) in have:
                continue
            try:
                with transaction.atomic():
                    review = Review.objects.create(agreement=agreement, kind=kind,
                                                   period=label, due=due, created_at=now)
                    record_change(None, review, AuditAction.CREATE,
                                  message="review scheduled by the cadence")
                made += 1
            except IntegrityError:  # another worker scheduled it
                continue
            if made >= BATCH:
                return True
    return made > 0


def review_reminders(now: datetime, worker_id: str = "worker") -> bool:
    today = now.date()
    notice = timedelta(days=setting("ACCORD_REVIEW_NOTICE_DAYS"))
    live = Review.objects.filter(status__in=LIVE_REVIEW).select_related(
        "agreement__owner", "agreement__calendar", "agreement__customer")
    made = False
    for review in live.filter(due__lte=today + notice, due__gte=today,
                              reminded_owner_at__isnull=True)[:BATCH]:
        made = _remind_owner(review, now) or made
    for review in live.filter(due__lt=today, reminded_slm_at__isnull=True)[:BATCH]:
        made = _remind_slms(review, now) or made
    return made


def _claim(review: Review, mark: str, now) -> bool:
    return Review.objects.filter(pk=review.pk, **{f"{mark}__isnull": True}).update(
        **{mark: now}) == 1


def _remind_owner(review: Review, now) -> bool:
    with transaction.atomic():
        if not _claim(review, "reminded_owner_at", now):
            return False
        reminders.remind(
            review.agreement.owner, key=f"review:{review.pk}:upcoming:owner",
            subject=f"Review due {review.due}: {review}",
            body=f"The {review} is due on {review.due}. Prepare the figures and invite both "
                 f"parties.", payload={"review_id": review.pk, "reminder": "upcoming"}, now=now)
    return True


def _remind_slms(review: Review, now) -> bool:
    with transaction.atomic():
        if not _claim(review, "reminded_slm_at", now):
            return False
        for user in User.objects.filter(role=Role.SERVICE_LEVEL_MANAGER, is_active=True):
            reminders.remind(
                user, key=f"review:{review.pk}:overdue:{user.username}"[:200],
                subject=f"Overdue review: {review}",
                body=f"The {review} was due on {review.due} and has not been closed.",
                payload={"review_id": review.pk, "reminder": "overdue"}, now=now)
    return True
