"""Worker steps of the governance layer (registered from ``ReviewsConfig.ready``). Each does
one small unit and returns True when it did, as ``accord.escalation.worker`` expects; each is
safe with two workers (unique keys and compare-and-set updates)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count

from accord.escalation.models import Escalation
from accord.measurement.choices import ClockState
from accord.measurement.models import Clock
from accord.reporting.periods import Period

from . import actions, reminders
from .choices import LIVE_ACTION, ActionSource
from .conf import setting
from .models import Action, Governance

BATCH = 20


# Escalation follow-ups -> actions ----------------------------------------------------------


def follow_up_key(escalation_id: int) -> str:
    return f"follow-up:{escalation_id}"


def convert_follow_up(escalation: Escalation, now: datetime) -> Action | None:
    """The action of one breach follow-up (once: keyed by the escalation); the follow-up JSON
    then says so (status "action", action_id)."""
    follow_up = dict(escalation.follow_up or {})
    clock = escalation.clock
    title = f"Follow up the breach of {escalation.ticket_ref or 'a ticket'}"
    if clock is not None:
        title = f"Follow up the breach: {clock.target}"[:200]
    action = actions.create_once(
        key=follow_up_key(escalation.pk), by=None, now=now, title=title,
        description=escalation.subject, clock=clock, escalation=escalation,
        source=ActionSource.BREACH)
    found = action or Action.objects.get(auto_key=follow_up_key(escalation.pk))
    follow_up.update(status="action", action_id=found.pk)
    Escalation.objects.filter(pk=escalation.pk).update(follow_up=follow_up)
    return action


def follow_ups_to_actions(now: datetime, worker_id: str = "worker") -> bool:
    """Turn new breach follow-ups into actions, a few per pass."""
    pending = list(Escalation.objects.filter(follow_up__status="open")
                   .select_related("clock__agreement", "clock__ticket__service",
                                   "clock__target")[:BATCH])
    made = False
    for escalation in pending:
        with transaction.atomic():
            made = convert_follow_up(escalation, now) is not None or made
    return made


# The same target breached N times in a period -> one action ----------------------------------


def repeated_key(agreement_id, key: tuple, period_label: str) -> str:
    metric, service, ticket_type, priority = key
    return (f"repeated:{agreement_id}:{metric}:{service or '-'}:{ticket_type or '-'}:"
            f"{priority or '-'}:{period_label}")[:200]


def threshold(agreement_id: int, overrides: dict) -> int:
    return overrides.get(agreement_id) or setting("ACCORD_REPEATED_BREACHES")


def repeated_breach_actions(now: datetime, worker_id: str = "worker") -> bool:
    """Per agreement and target key {metric, service, type, priority} (across versions), the
    breaches of this month in the agreement's reporting zone, counted in the database; N or
    more (N per agreement, default ``ACCORD_REPEATED_BREACHES``) raise one action per key and
    month. The candidates come from one GROUP BY over the last 32 days (wider than any
    month in any zone); each candidate is then counted exactly within its month."""
    from accord.agreements.models import Agreement

    window = now - timedelta(days=32)
    overrides = dict(Governance.objects.values_list("agreement_id", "repeated_breaches"))
    least = min([setting("ACCORD_REPEATED_BREACHES"), *overrides.values()])
    counted = list(Clock.objects.filter(state=ClockState.BREACHED, breached_at__gte=window,
                                        breached_at__lte=now)
                   .values("agreement_id", "metric", "target__service__name",
                           "target__ticket_type", "target__priority")
                   .annotate(n=Count("id")).filter(n__gte=least).order_by())
    if not counted:
        return False
    agreements = Agreement.objects.select_related("calendar", "customer", "owner").in_bulk(
        {row["agreement_id"] for row in counted})
    existing = set(Action.objects.filter(auto_key__startswith="repeated:",
                                         created_at__gte=window - timedelta(days=1))
                   .values_list("auto_key", flat=True))
    for row in counted:
        agreement = agreements.get(row["agreement_id"])
        if agreement is None or row["n"] < threshold(agreement.pk, overrides):
            continue
        month = Period.containing("month", now, tz=agreement.reporting_zone)
        key = (row["metric"], row["target__service__name"], row["target__ticket_type"],
               row["target__priority"])
        auto_key = repeated_key(agreement.pk, key, month.label)
        if auto_key not in existing and _raise_repeated(agreement, key, month, auto_key,
                                                        threshold(agreement.pk, overrides),
                                                        now):
            return True
    return False


def _raise_repeated(agreement, key, month, auto_key, needed, now) -> bool:
    metric, service_name, ticket_type, priority = key
    clocks = Clock.objects.filter(
        agreement_id=agreement.pk, state=ClockState.BREACHED, metric=metric,
        breached_at__gte=month.start_utc, breached_at__lt=month.end_utc,
        target__service__name=service_name, target__ticket_type=ticket_type,
        target__priority=priority)
    n = clocks.count()
    if n < needed:
        return False
    first = clocks.select_related("target__service").order_by("breached_at").first()
    service = first.target.service if first.target.service_id else None
    what = " ".join(str(p) for p in (priority, metric, service_name) if p)
    return actions.create_once(
        key=auto_key, by=None, now=now, agreement=agreement, service=service,
        title=f"{agreement.reference}: {what} breached {n} times in {month.label}"[:200],
        description=(f"The same target ({what}) of {agreement} breached {n} times in "
                     f"{month.label} (threshold {needed})."),
        source=ActionSource.REPEATED_BREACH) is not None


# Overdue actions: the owner, then the service owner after a grace period ----------------------


def overdue_action_reminders(now: datetime, worker_id: str = "worker") -> bool:
    """Remind the owner of each overdue live action once, and its service owner once after
    ``ACCORD_ACTION_GRACE_DAYS`` more days (outbox keys ``action:ID:overdue:owner`` and
    ``action:ID:overdue:service_owner``). An action is overdue the day after its due date
    (UTC)."""
    today = now.date()
    grace = timedelta(days=setting("ACCORD_ACTION_GRACE_DAYS"))
    live = Action.objects.filter(status__in=LIVE_ACTION)
    made = False
    for action in live.filter(due__lt=today, reminded_owner_at__isnull=True)[:BATCH]:
        made = _remind(action, "reminded_owner_at", action.owner, "owner", now) or made
    for action in live.filter(due__lt=today - grace, reminded_service_owner_at__isnull=True,
                              reminded_owner_at__isnull=False).select_related(
                                  "service__owner")[:BATCH]:
        owner = action.service.owner if action.service_id else None
        made = _remind(action, "reminded_service_owner_at", owner, "service_owner", now) or made
    return made


def _remind(action: Action, mark: str, user, reminder: str, now: datetime) -> bool:
    with transaction.atomic():
        won = Action.objects.filter(pk=action.pk, **{f"{mark}__isnull": True}).update(
            **{mark: now})
        if won != 1:
            return False
        days = (now.date() - action.due).days
        reminders.remind(
            user, key=f"action:{action.pk}:overdue:{reminder}",
            subject=f"Overdue action: {action.title}",
            body=(f"Action #{action.pk} \"{action.title}\" was due {action.due} "
                  f"({days} day(s) ago) and is {action.status}.\n"
                  f"Owner: {action.owner or 'nobody'}."),
            payload={"action_id": action.pk, "reminder": reminder,
                     "due": action.due.isoformat()}, now=now)
    return True

