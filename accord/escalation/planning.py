"""When a stored clock's escalation steps come due: arithmetic on one clock, its calendar and
its policy's steps at a given ``now``. No database access, no wall clock.

A stored clock is exact as of ``computed_at``; no event happened since (an event would have
recomputed it), so a running clock has simply accrued ``calendar.elapsed(computed_at, now)``
more business time. Which steps may fire:

- an open clock that is running: every step whose instant has come (percent used, minutes
  before the live due instant, or the instant from which the clock is at risk);
- an open clock that is paused: only percent-used steps crossed while it ran (noticed late);
  its other steps wait for the resume, which recomputes the clock;
- a clock stopped as breached: its breach steps (100 % used or more) if they have not fired,
  so a breach that ended before the worker saw it is still escalated and followed up;
- a clock met or cancelled: nothing, not even warnings crossed before it stopped: telling
  people to hurry on a ticket that is already done is noise.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .choices import ThresholdKind

_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class Facts:
    """What planning needs from a stored clock."""

    state: str  # running, paused, met, breached, cancelled
    open: bool  # not stopped and not cancelled
    running: bool  # business time accrues: open and not paused
    elapsed: float  # business seconds as of ``as_of``
    target: float
    as_of: datetime
    due_at: datetime | None
    breached_at: datetime | None = None
    warnings: dict = field(default_factory=dict)  # "75" -> ISO instant, as stored
    thresholds: tuple = ()  # the target's warning percents


@dataclass(frozen=True)
class StepRule:
    id: int
    kind: str
    threshold: int


@dataclass
class Plan:
    due: list  # StepRule, in the order their instants came
    elapsed: float
    percent: float
    warnings: dict
    breached_at: datetime | None
    state: str
    next_at: datetime | None


def _due(cal, start: datetime, seconds: float) -> datetime | None:
    if seconds <= 0:
        return start
    try:
        return cal.due(start, seconds)
    except ValueError:  # the calendar never opens long enough
        return None


def percent_instant(facts: Facts, cal, percent: float) -> datetime | None:
    """When a running clock reaches ``percent`` of its target (``as_of`` if it has)."""
    level_us = round(round(facts.target * 1e6) * percent / 100)
    return _due(cal, facts.as_of, (level_us - round(facts.elapsed * 1e6)) / 1e6)


def step_instant(rule: StepRule, facts: Facts, cal, risk_percent=None) -> datetime | None:
    """When ``rule`` comes due on a running clock; None when it never will as things stand.
    ``risk_percent`` is the percent used from which the clock is at risk (see prediction)."""
    if rule.kind == ThresholdKind.PERCENT_USED:
        return percent_instant(facts, cal, rule.threshold)
    if rule.kind == ThresholdKind.MINUTES_BEFORE_DUE:
        return facts.due_at - timedelta(minutes=rule.threshold) if facts.due_at else None
    if rule.kind == ThresholdKind.AT_RISK and risk_percent is not None:
        return percent_instant(facts, cal, risk_percent)
    return None


def plan(facts: Facts, cal, rules, fired: set, now: datetime, risk_percents=None) -> Plan:
    """The clock brought up to ``now``, the steps due now, and the next instant to look again.

    ``fired`` holds the ids of steps already fired on this clock and cycle;
    ``risk_percents`` maps an at-risk step id to the percent used from which it fires.
    """
    risk_percents = risk_percents or {}
    elapsed = facts.elapsed
    if facts.running and now > facts.as_of:
        elapsed += cal.elapsed(facts.as_of, now)
    percent = elapsed / facts.target * 100
    warnings = dict(facts.warnings)
    state, breached_at = facts.state, facts.breached_at
    upcoming = []
    if facts.running:
        for p in facts.thresholds:
            key = f"{p:g}"
            if key in warnings:
                continue
            at = percent_instant(facts, cal, p)
            if at is not None and at <= now:
                warnings[key] = at.isoformat()
            elif at is not None:
                upcoming.append(at)
        over = _due(cal, facts.as_of, (round(facts.target * 1e6) - round(facts.elapsed * 1e6)
                                       + 1) / 1e6)  # first instant with elapsed > target
        if over is not None and breached_at is None:
            if over <= now:
                state, breached_at = "breached", over - _US
            else:
                upcoming.append(over)
    due = []
    for rule in rules:
        if rule.id in fired:
            continue
        if facts.running:
            at = step_instant(rule, facts, cal, risk_percents.get(rule.id))
            if at is not None and at <= now:
                due.append((at, rule))
            elif at is not None:
                upcoming.append(at)
        elif rule.kind == ThresholdKind.PERCENT_USED and percent >= rule.threshold and (
                facts.open or (state == "breached" and rule.threshold >= 100)):
            due.append((now, rule))
    due.sort(key=lambda pair: (pair[0], pair[1].threshold))
    return Plan(due=[rule for _, rule in due], elapsed=elapsed, percent=percent,
                warnings=warnings, breached_at=breached_at, state=state,
                next_at=min(upcoming) if upcoming else None)
