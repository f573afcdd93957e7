"""Stored SLA clocks as escalation sees them: planning facts, calendar, similar history,
predictions. Read-only."""

from datetime import datetime

from accord.agreements.calendars import explain_calendar
from accord.catalogue.calendars import business_calendar
from accord.measurement.choices import ClockState
from accord.measurement.models import Clock

from .conf import setting
from .planning import Facts, plan
from .prediction import SERVICE_PRIORITY, TARGET, History, Prediction, predict

ENDED = (ClockState.MET, ClockState.BREACHED)


def is_running(clock: Clock) -> bool:
    """Open and accruing time: running, or breached and still running (its last segment)."""
    if not clock.is_open or clock.state == ClockState.PAUSED:
        return False
    if clock.state == ClockState.RUNNING:
        return True
    segments = clock.segments or []
    return not segments or segments[-1].get("state") == ClockState.RUNNING


def facts_of(clock: Clock) -> Facts:
    return Facts(
        state=clock.state, open=clock.is_open, running=is_running(clock),
        elapsed=clock.elapsed_seconds, target=clock.target_seconds, as_of=clock.computed_at,
        due_at=clock.due_at, breached_at=clock.breached_at, warnings=clock.warnings or {},
        thresholds=tuple(clock.target.warning_thresholds or ()),
    )


def calendar_of(clock: Clock, cache: dict | None = None):
    """The engine calendar the clock is measured in (as measurement resolved it)."""
    if clock.calendar_id is not None:
        return business_calendar(clock.calendar)
    ticket = clock.ticket
    key = ("resolved", clock.target_id, ticket.customer_id, ticket.service_id)
    if cache is not None and key in cache:
        return cache[key]
    resolved = explain_calendar(clock.target, ticket.customer, ticket.service).calendar
    built = business_calendar(resolved)
    if cache is not None:
        cache[key] = built
    return built


def histories(clock: Clock, cache: dict | None = None) -> list[History]:
    """The cohorts of completed similar clocks, in order of preference (see prediction)."""
    cache = {} if cache is None else cache
    limit = setting("ACCORD_AT_RISK_HISTORY")
    done = Clock.objects.filter(state__in=ENDED, stopped_at__isnull=False)
    ticket = clock.ticket
    keys = [
        (TARGET, clock.target_id),
        (SERVICE_PRIORITY, clock.metric, ticket.service_id, ticket.priority),
    ]
    found = []
    for key in keys:
        if key not in cache:
            if key[0] == TARGET:
                rows = done.filter(target_id=clock.target_id)
            elif ticket.service_id is None or not ticket.priority:
                cache[key] = None
                continue
            else:
                rows = done.filter(metric=clock.metric, ticket__service_id=ticket.service_id,
                                   ticket__priority=ticket.priority)
            finals = rows.order_by("-stopped_at").values_list("percent", flat=True)[:limit]
            cache[key] = History(list(finals), key[0])
        found.append(cache[key])
    return found


def prediction(clock: Clock, now: datetime, cache: dict | None = None) -> Prediction:
    """The clock's breach probability at ``now`` (percent used brought up to ``now``)."""
    percent = clock.percent
    if is_running(clock):
        percent = plan(facts_of(clock), calendar_of(clock, cache), (), set(), now).percent
    return predict(percent, histories(clock, cache), setting("ACCORD_AT_RISK_MIN_SAMPLE"))
