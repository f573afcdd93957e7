"""Firing escalation steps from stored SLA clocks: the worker's firing unit.

``fire_due(now)`` claims up to ACCORD_FIRING_BATCH clocks whose ``next_event_at`` has come
(the partial index ``clock_due``: no scan of all running clocks), with
``SELECT … FOR UPDATE SKIP LOCKED`` where the database has it, and for each clock, in one
savepoint: brings it up to ``now`` (elapsed, percent, warnings crossed, breach), fires every
due step of its policy once per clock, cycle and step (``Escalation.key`` is unique), writes
the notifications to the outbox, and sets ``next_event_at`` to the next step, warning or
breach instant. The row is written back with a compare-and-set on (next_event_at,
computed_at): if a recompute or another worker changed it meanwhile, the savepoint rolls
back (escalations and notifications too) and the clock is planned again from its new state.
A clock whose evaluation raises is pushed RETRY_AFTER ahead so it cannot stall the worker.
See ``planning`` for which steps a paused, met or breached clock may fire.
"""

import logging
from datetime import datetime, timedelta

from django.db import connection, transaction

from accord.agreements.choices import AgreementKind
from accord.measurement.models import Clock

from .. import clocks as stored
from ..choices import ThresholdKind
from ..conf import setting
from ..models import Escalation
from ..planning import StepRule, plan
from ..prediction import risk_percent
from ..queries import policy_for
from ..recipients import Context
from .escalations import fire_step
from .outbox import require_aware

log = logging.getLogger("accord.worker")

RETRY_AFTER = timedelta(minutes=10)


class _Lost(Exception):
    """The clock changed under us: undo this clock's firing."""


def step_key(clock: Clock, step_id: int) -> str:
    return f"{clock.pk}:{clock.cycle}:{step_id}"


def next_clock_event_at() -> datetime | None:
    """The earliest planned clock instant (for the worker's sleep)."""
    return (Clock.objects.filter(next_event_at__isnull=False).order_by("next_event_at")
            .values_list("next_event_at", flat=True).first())


def claim_query(now: datetime, limit: int):
    """The claim: due clocks, earliest first, locked (skipping rows other workers hold)."""
    due = (Clock.objects.filter(next_event_at__isnull=False, next_event_at__lte=now)
           .order_by("next_event_at")
           .select_related("ticket__service__owner", "ticket__customer", "ticket__team",
                           "target__version__agreement", "agreement__team",
                           "agreement__customer", "calendar"))
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    return due[:limit]


def fire_due(now: datetime, limit: int | None = None) -> int:
    """Handle up to ``limit`` due clocks (see module doc); returns how many were claimed.
    Call it outside a transaction to release the row locks at once."""
    require_aware(now)
    limit = setting("ACCORD_FIRING_BATCH") if limit is None else limit
    cache: dict = {}
    with transaction.atomic():
        claimed = list(claim_query(now, limit))
        if not claimed:
            return 0
        fired: dict[int, set] = {}
        for clock_id, step_id in Escalation.objects.filter(
                clock__in=claimed).values_list("clock_id", "step_id"):
            fired.setdefault(clock_id, set()).add(step_id)
        for clock in claimed:
            try:
                with transaction.atomic():
                    _fire_clock(clock, now, fired.get(clock.pk, set()), cache)
            except _Lost:
                log.info("clock %s changed while firing; it is planned again", clock.pk)
            except Exception:
                log.exception("clock %s: firing failed; trying again in %s", clock.pk,
                              RETRY_AFTER)
                Clock.objects.filter(pk=clock.pk, next_event_at=clock.next_event_at).update(
                    next_event_at=now + RETRY_AFTER)
    return len(claimed)


def _policy(clock: Clock, cache: dict):
    key = ("policy", clock.agreement_id, clock.target_id)
    if key not in cache:
        cache[key] = policy_for(clock.agreement_id, clock.target_id)
    return cache[key]


def _fire_clock(clock: Clock, now: datetime, fired: set, cache: dict) -> None:
    policy = _policy(clock, cache)
    steps = {s.pk: s for s in policy.steps.all()} if policy else {}
    rules = [StepRule(s.pk, s.threshold_kind, s.threshold) for s in steps.values()]
    facts = stored.facts_of(clock)
    calendar = stored.calendar_of(clock, cache)
    risks = {}
    at_risk = [r for r in rules if r.kind == ThresholdKind.AT_RISK and r.id not in fired]
    if at_risk and facts.running:
        cohorts = stored.histories(clock, cache)
        for rule in at_risk:
            level = rule.threshold / 100 or setting("ACCORD_AT_RISK_PROBABILITY")
            risks[rule.id] = risk_percent(cohorts, level,
                                          setting("ACCORD_AT_RISK_MIN_SAMPLE"))
    result = plan(facts, calendar, rules, fired, now, risks)
    for rule in result.due:
        _fire(steps[rule.id], clock, result, now)
    update = {"next_event_at": result.next_at}
    if facts.running and now > clock.computed_at:
        update.update(elapsed_seconds=result.elapsed, percent=result.percent,
                      warnings=result.warnings, computed_at=now)
        if result.state != clock.state:
            update.update(state=result.state, breached_at=result.breached_at)
    won = Clock.objects.filter(pk=clock.pk, next_event_at=clock.next_event_at,
                               computed_at=clock.computed_at).update(**update)
    if won != 1:
        raise _Lost


def _fire(step, clock: Clock, result, now: datetime) -> Escalation:
    ticket, target = clock.ticket, clock.target
    what = _describe(step, result.percent)
    subject = f"{ticket.ticket_id}: {target} {what}"
    due = clock.due_at.isoformat() if clock.due_at else "not in sight"
    body = (f"Ticket {ticket} ({ticket.service or 'no service'}, priority "
            f"{ticket.priority or 'none'}): {result.percent:.0f} % of "
            f"{_hours(clock.target_seconds)} used; due {due}.\n"
            f"Agreement: {clock.agreement}. Target: {target}.")
    agreement = clock.agreement
    context = Context(service_owner=ticket.service.owner if ticket.service else None,
                      team=agreement.team or ticket.team,
                      customer=agreement.customer or ticket.customer,
                      service=ticket.service)
    follow_up = None
    if step.is_breach and clock.kind == AgreementKind.SLA:
        follow_up = {"kind": "breach", "status": "open", "clock_id": clock.pk,
                     "ticket": str(ticket), "target_id": clock.target_id,
                     "agreement_id": clock.agreement_id, "opened_at": now.isoformat()}
    payload = {"clock_id": clock.pk, "cycle": clock.cycle, "percent": round(result.percent, 2),
               "target_id": clock.target_id, "agreement_id": clock.agreement_id,
               "due_at": clock.due_at.isoformat() if clock.due_at else None,
               "state": result.state}
    return fire_step(step, key=step_key(clock, step.pk), clock_ref=f"clock:{clock.pk}",
                     ticket_ref=str(ticket), subject=subject[:255], body=body, now=now,
                     context=context, payload=payload, clock=clock, follow_up=follow_up,
                     known_new=True)


def _describe(step, percent: float) -> str:
    if step.threshold_kind == ThresholdKind.AT_RISK:
        return f"is at risk of breaching ({percent:.0f} % used)"
    if step.threshold_kind == ThresholdKind.MINUTES_BEFORE_DUE:
        return f"is due in {step.threshold} minutes or less"
    if step.is_breach:
        return f"is breached ({percent:.0f} % used)"
    return f"has used {step.threshold} % of its target"


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:g} h" if seconds >= 3600 else f"{seconds / 60:g} min"

