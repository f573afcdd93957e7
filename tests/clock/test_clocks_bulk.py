"""The vectorized path gives the scalar engine's clocks, field for field, on mixed histories."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.clock import BusinessCalendar, Event, TargetDefinition, compute_ticket_clocks
from accord.clock.bulk import _plans, compute_many
from accord.clock.events import replay

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2025, 3, 20, 9, 0, tzinfo=LONDON)  # the clocks go forward on 30 March
OFFICE = BusinessCalendar(tz="Europe/London", hours={
    d: [("08:00", "18:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    holidays=["2025-03-24"])
PENDING = {"field": "status", "in": ["Pending customer"]}
TARGETS = [
    TargetDefinition(id="p1", metric="resolution", seconds=4 * 3600, calendar=OFFICE,
                     applies={"field": "priority", "equals": "P1"}, pause=PENDING),
    TargetDefinition(id="p3", metric="resolution", seconds=8 * 3600, calendar=OFFICE,
                     applies={"field": "priority", "equals": "P3"}, pause=PENDING,
                     warnings=[25, 50, 75, 90]),
    TargetDefinition(id="response", metric="response", seconds=1800, calendar=OFFICE),
    TargetDefinition(id="24x7", metric="resolution", seconds=2 * 86400, warnings=[]),
    TargetDefinition(id="desk", metric="resolution", seconds=3600, calendar=OFFICE,
                     pause={"not": {"field": "team", "equals": "Desk"}}),
]
NOW = T0 + timedelta(days=6, hours=2)


def ticket(rnd: random.Random, n: int) -> list[Event]:
    """A mostly simple history (created, maybe a private note, resolved, maybe closed),
    sometimes with a pause, a priority change, a hand-off, a reopening or a late event."""
    name = f"INC{n}"
    opened = T0 + timedelta(minutes=rnd.choice([0, 30 * rnd.randrange(300), rnd.randrange(9000)]))
    priority = rnd.choice(["P1", "P3"])
    events = [Event(name, opened, "created", event_id=f"{name}-1", status="New",
                    priority=priority, team="Desk")]
    at = opened
    for i, kind in enumerate(rnd.choice([
            ["resolved"], ["resolved"], ["commented", "resolved"], ["resolved", "closed"],
            [], ["commented"], ["pause", "resolved"], ["priority", "resolved"],
            ["handoff", "resolved"], ["resolved", "reopened"], ["late"], ["public"],
            ["resolved", "commented"]]), 2):
        at += timedelta(minutes=rnd.choice([0, 1, 10, 60, 240, 600, 1440, 3000]))
        extra = {"kind": kind}
        if kind == "pause":
            extra = {"kind": "status_changed", "status": "Pending customer"}
        elif kind == "priority":
            extra = {"kind": "updated", "priority": "P1" if priority == "P3" else "P3"}
        elif kind == "handoff":
            extra = {"kind": "updated", "team": "Network"}
        elif kind == "late":
            extra, at = {"kind": "resolved"}, NOW + timedelta(hours=1)
        elif kind == "public":
            extra = {"kind": "commented", "public": True}
        events.append(Event(name, at, event_id=f"{name}-{i}", **extra))
    rnd.shuffle(events)
    return events


def test_the_vectorized_path_gives_the_scalar_engines_clocks_on_a_mixed_history():
    rnd = random.Random(4)
    histories = [ticket(rnd, n) for n in range(600)]
    items = [(TARGETS, events) for events in histories]

    bulk = compute_many(items, NOW)

    assert bulk == [compute_ticket_clocks(TARGETS, events, NOW) for events in histories]
    plans = [plan for events in histories
             for _, plan in _plans(TARGETS, list(replay(events)), NOW) or ()]
    vectorized, scalar = sum(bool(p) for p in plans), plans.count(False)
    assert vectorized > 1000 and scalar > 200  # both paths were exercised
    states = {str(c.state) for clocks in bulk for c in clocks}
    assert {"met", "breached", "running"} <= states
    assert any(c.warnings for clocks in bulk for c in clocks)


def test_clocks_stopped_at_closing_time_or_on_a_holiday_match_the_scalar_engine():
    friday_close = datetime(2025, 3, 21, 18, 0, tzinfo=LONDON)
    histories = []
    for n, minutes in enumerate([-240, -30, 0, 60, 60 * 24 * 3 + 30]):
        opened = friday_close + timedelta(minutes=minutes)
        histories.append([
            Event(f"T{n}", opened, "created", event_id="a", priority="P1", team="Desk"),
            Event(f"T{n}", opened + timedelta(hours=4), "resolved", event_id="b")])
    items = [(TARGETS, events) for events in histories]

    assert compute_many(items, NOW) == [compute_ticket_clocks(TARGETS, e, NOW)
                                        for e in histories]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9000), st.integers(0, 9000),
                          st.sampled_from(["P1", "P3"]), st.booleans()), max_size=8),
       st.integers(0, 9000))
def test_any_batch_of_simple_tickets_matches_the_scalar_engine(tickets, now_minutes):
    now = T0 + timedelta(minutes=now_minutes)
    histories = []
    for n, (start, length, priority, resolved) in enumerate(tickets):
        opened = T0 + timedelta(minutes=start)
        events = [Event(f"T{n}", opened, "created", event_id="a", priority=priority,
                        team="Desk")]
        if resolved:
            events.append(Event(f"T{n}", opened + timedelta(minutes=length), "resolved",
                                event_id="b"))
        histories.append(events)

    assert compute_many([(TARGETS, e) for e in histories], now) == [
        compute_ticket_clocks(TARGETS, e, now) for e in histories]
