"""Read models of stored clocks and availability periods, scoped to what a user may see."""

from datetime import datetime

from django.db.models import Count, Q

from accord.accounts.choices import Role
from accord.agreements.queries import coverage_ends
from accord.clock.clock_types import fmt_instant
from accord.lib.errors import InvalidInput

from .choices import ClockState
from .clock_models import AvailabilityPeriod, Clock
from .live import reaching
from .queries import _aware

AT_RISK_PERCENT = 75.0


def clocks_visible_to(user):
    """Every clock for staff roles; a customer-portal user the clocks of their customer's
    SLAs; a supplier-portal user the UC clocks of their suppliers."""
    clocks = Clock.objects.select_related("ticket", "agreement", "target")
    if not user.is_portal:
        return clocks
    if user.role == Role.CUSTOMER:
        return clocks.filter(kind="sla", ticket__customer__contacts=user)
    return clocks.filter(kind="uc", agreement__supplier__contacts=user)


def filter_clocks(clocks, *, state=None, breached=None, at_risk=None, threshold=None,
                  agreement=None, service=None, customer=None, team=None, kind=None,
                  started_after: datetime | None = None, started_before: datetime | None = None):
    """Narrow ``clocks``: ``at_risk`` = open, not breached, ``percent >= threshold``;
    ``breached`` = breached (still open or ended); catalogue filters by name."""
    if state is not None:
        if state not in ClockState.values:
            raise InvalidInput(f"state must be one of {', '.join(ClockState.values)}",
                               field="state")
        clocks = clocks.filter(state=state)
    if breached is not None:
        clocks = (clocks.filter(state=ClockState.BREACHED) if breached
                  else clocks.exclude(state=ClockState.BREACHED))
    if threshold is not None and not 0 < threshold <= 100:
        raise InvalidInput("threshold must be a percent between 0 and 100", field="threshold")
    if at_risk:
        clocks = clocks.filter(state=ClockState.RUNNING,
                               percent__gte=threshold or AT_RISK_PERCENT)
    if agreement is not None:
        clocks = clocks.filter(agreement_id=agreement)
    exact = {"ticket__service__name": service, "ticket__customer__name": customer,
             "kind": kind}
    clocks = clocks.filter(**{k: v for k, v in exact.items() if v is not None})
    if team is not None:
        clocks = clocks.filter(holder=team, kind="ola") | clocks.filter(ticket__team__name=team)
    if _aware(started_after, "from") is not None:
        clocks = clocks.filter(started_at__gte=started_after)
    if _aware(started_before, "to") is not None:
        clocks = clocks.filter(started_at__lt=started_before)
    return clocks


def open_counts(clocks, now: datetime, threshold: float = AT_RISK_PERCENT) -> dict:
    """Open clocks among ``clocks`` as of ``now`` (not as of their last write): ``open``,
    ``breached`` (breached, or running past their due instant) and ``at_risk`` (running,
    not yet due, at or above ``threshold`` percent now); clocks of agreements that have
    ended are not open. Counted in the database; only running clocks below the threshold
    when stored are brought up to ``now`` by the engine."""
    open_clocks = clocks.filter(stopped_at__isnull=True).exclude(state=ClockState.CANCELLED)
    ended = coverage_ends(now)
    if ended:  # closed as ended by the worker's next pass, if not yet
        open_clocks = open_clocks.exclude(agreement_id__in=list(ended))
    running = Q(state=ClockState.RUNNING)
    not_due = running & (Q(due_at__isnull=True) | Q(due_at__gt=now))
    counts = open_clocks.aggregate(
        open=Count("pk"),
        breached=Count("pk", filter=Q(state=ClockState.BREACHED) | running & Q(due_at__lte=now)),
        at_risk=Count("pk", filter=not_due & Q(percent__gte=threshold)))
    below = open_clocks.filter(not_due, percent__lt=threshold)
    return {"open": counts["open"], "breached": counts["breached"],
            "at_risk": counts["at_risk"] + reaching(below, now, threshold)}


def explain(clock: Clock) -> list[str]:
    """One human-readable line per transition (as ``accord.clock.Clock.explain``)."""
    lines = []
    for t in clock.transitions:
        line = f"{fmt_instant(datetime.fromisoformat(t['at']))} {t['action']}"
        if t["event_id"]:
            line += f" by event {t['event_id']}"
        if t["reason"]:
            line += f" ({t['reason']})"
        lines.append(line)
    return lines


def availability_visible_to(user):
    periods = AvailabilityPeriod.objects.select_related("service", "agreement", "target")
    if not user.is_portal:
        return periods
    if user.role == Role.CUSTOMER:
        return periods.filter(agreement__customer__contacts=user)
    return periods.none()
