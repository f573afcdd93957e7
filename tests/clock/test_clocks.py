"""SLA clocks on ITIL worked examples: business hours, pauses, priority changes, explain()."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from accord.clock import (
    BusinessCalendar,
    ClockState,
    Event,
    Holder,
    TargetDefinition,
    compute_clocks,
    compute_ticket_clocks,
)

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
OFFICE = BusinessCalendar(tz="Europe/London", hours={d: [("08:00", "18:00")] for d in WEEKDAYS})
PENDING = {"field": "status", "in": ["Pending customer", "Awaiting User Info"]}


def at(text: str) -> datetime:
    """A London wall-clock instant, e.g. at("2025-03-07 16:30") (a Friday)."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def ev(event_id, when, kind, **fields) -> Event:
    return Event(ticket_id="INC1", event_id=event_id, timestamp=at(when), kind=kind, **fields)


def target(id="p1-resolution", metric="resolution", hours=4, **rules) -> TargetDefinition:
    rules.setdefault("pause", PENDING)
    return TargetDefinition(id=id, metric=metric, seconds=hours * 3600, calendar=OFFICE, **rules)


P1 = target(applies={"field": "priority", "equals": "P1"})
P3 = target(id="p3-resolution", hours=8, applies={"field": "priority", "equals": "P3"})


def one(clocks):
    assert len(clocks) == 1, clocks
    return clocks[0]


# --- the worked example: P1 opened Friday 16:30, 4 business hours, Mon-Fri 08:00-18:00 ---

def test_it_makes_a_friday_afternoon_p1_due_on_monday_morning():
    events = [ev("e1", "2025-03-07 16:30", "created", priority="P1", status="New")]

    clock = one(compute_clocks(P1, events, now=at("2025-03-07 17:00")))

    # 1.5 h on Friday, 2.5 h on Monday
    assert clock.state == ClockState.RUNNING
    assert clock.due_at == at("2025-03-10 10:30")
    assert clock.elapsed == 1800
    assert clock.percent == pytest.approx(12.5)
    # the weekend does not count, so the 50 % warning falls on Monday morning
    assert clock.next_event_at == at("2025-03-10 08:30")
    assert clock.stopped_at is None and clock.breached_at is None


def test_it_measures_real_seconds_across_the_spring_forward_weekend():
    # London: 2025-03-30 01:00 UTC clocks go from GMT (+00:00) to BST (+01:00).
    events = [ev("e1", "2025-03-28 16:30", "created", priority="P1")]

    clock = one(compute_clocks(P1, events, now=at("2025-03-28 17:00")))

    assert clock.due_at.isoformat() == "2025-03-31T09:30:00+00:00"  # 10:30 BST


def test_time_in_pending_customer_does_not_count():
    events = [
        ev("e1", "2025-03-07 16:30", "created", priority="P1", status="New"),
        ev("e2", "2025-03-10 09:00", "status_changed", status="Pending customer"),
        ev("e3", "2025-03-10 11:00", "status_changed", status="In Progress"),
    ]

    paused = one(compute_clocks(P1, events, now=at("2025-03-10 10:00")))
    running = one(compute_clocks(P1, events, now=at("2025-03-10 11:30")))

    assert paused.state == ClockState.PAUSED
    assert paused.elapsed == 1.5 * 3600 + 3600
    assert paused.paused == 3600
    # a paused clock's due_at is the due instant if it resumed now
    assert paused.due_at == at("2025-03-10 11:30")
    assert paused.next_event_at is None
    # two hours pending push the due instant from 10:30 to 12:30
    assert running.state == ClockState.RUNNING
    assert running.paused == 7200
    assert running.due_at == at("2025-03-10 12:30")


def test_a_ticket_resolved_exactly_at_the_target_is_met():
    events = [
        ev("e1", "2025-03-07 16:30", "created", priority="P1"),
        ev("e2", "2025-03-10 10:30", "resolved", status="Resolved"),
    ]

    clock = one(compute_clocks(P1, events, now=at("2025-03-12 09:00")))

    assert clock.state == ClockState.MET
    assert clock.elapsed == 4 * 3600
    assert clock.percent == 100
    assert clock.stopped_at == at("2025-03-10 10:30")
    assert clock.breached_at is None
    assert clock.next_event_at is None


def test_a_ticket_resolved_a_minute_late_is_breached_from_the_due_instant():
    events = [
        ev("e1", "2025-03-07 16:30", "created", priority="P1"),
        ev("e2", "2025-03-10 10:31", "resolved", status="Resolved"),
    ]

    clock = one(compute_clocks(P1, events, now=at("2025-03-12 09:00")))

    assert clock.state == ClockState.BREACHED
    assert clock.elapsed == 4 * 3600 + 60
    assert clock.breached_at == at("2025-03-10 10:30")
    assert clock.due_at == at("2025-03-10 10:30")


def test_an_open_clock_over_its_target_is_breached_but_not_stopped():
    events = [ev("e1", "2025-03-07 16:30", "created", priority="P1")]

    clock = one(compute_clocks(P1, events, now=at("2025-03-10 12:00")))

    assert clock.state == ClockState.BREACHED
    assert clock.stopped_at is None
    assert clock.breached_at == at("2025-03-10 10:30")
    assert clock.next_event_at is None


def test_a_target_used_up_at_closing_time_breaches_only_when_the_office_reopens():
    events = [ev("e1", "2025-03-07 14:00", "created", priority="P1")]

    weekend = one(compute_clocks(P1, events, now=at("2025-03-08 12:00")))
    monday = one(compute_clocks(P1, events, now=at("2025-03-10 08:01")))

    # exactly 4 h used at Friday 18:00: due then, but not over the target all weekend
    assert weekend.due_at == at("2025-03-07 18:00")
    assert weekend.state == ClockState.RUNNING
    assert weekend.next_event_at == at("2025-03-10 08:00")
    assert monday.state == ClockState.BREACHED
    assert monday.breached_at == at("2025-03-10 08:00")


def test_response_stops_at_the_first_public_comment_but_not_a_private_note():
    response = target(id="p1-response", metric="response", hours=1)
    events = [
        ev("e1", "2025-03-10 09:00", "created", priority="P1"),
        ev("e2", "2025-03-10 09:10", "commented", public=False),
        ev("e3", "2025-03-10 09:40", "commented", public=True),
        ev("e4", "2025-03-10 10:30", "responded"),
    ]

    clock = one(compute_clocks(response, events, now=at("2025-03-10 12:00")))

    assert clock.state == ClockState.MET
    assert clock.stopped_at == at("2025-03-10 09:40")
    assert clock.elapsed == 40 * 60


def test_resolving_a_ticket_also_answers_its_response_target():
    response = target(id="p1-response", metric="response", hours=1)
    events = [
        ev("e1", "2025-03-10 09:00", "created", priority="P1"),
        ev("e2", "2025-03-10 09:20", "resolved"),
        ev("e3", "2025-03-10 11:00", "reopened"),
    ]

    # the response is given once: reopening does not start a new response clock
    clock = one(compute_clocks(response, events, now=at("2025-03-10 12:00")))

    assert clock.state == ClockState.MET
    assert clock.elapsed == 20 * 60


# --- priority changes: retroactive start and cancellation ---

def test_raising_p3_to_p1_cancels_the_p3_clock_and_starts_p1_from_creation():
    events = [
        ev("e1", "2025-03-10 09:00", "created", priority="P3", status="New"),
        ev("e2", "2025-03-10 10:00", "updated", priority="P1"),
    ]
    now = at("2025-03-10 11:00")

    p3 = one(compute_clocks(P3, events, now))
    p1 = one(compute_clocks(P1, events, now))

    assert p3.state == ClockState.CANCELLED
    assert p3.stopped_at == at("2025-03-10 10:00")
    assert p3.elapsed == 3600
    assert p3.transitions[-1].action == "cancelled"
    assert p3.transitions[-1].reason == "target no longer applies: priority became P1"
    assert p1.state == ClockState.RUNNING
    assert p1.started_at == at("2025-03-10 09:00")
    assert p1.elapsed == 7200
    assert p1.due_at == at("2025-03-10 13:00")


def test_computing_all_targets_at_once_gives_the_same_clocks():
    events = [
        ev("e1", "2025-03-10 09:00", "created", priority="P3", status="New"),
        ev("e2", "2025-03-10 10:00", "updated", priority="P1"),
    ]
    now = at("2025-03-10 11:00")

    together = compute_ticket_clocks([P3, P1], events, now)

    assert together == compute_clocks(P3, events, now) + compute_clocks(P1, events, now)


def test_a_pause_that_spans_a_priority_change_is_honoured_by_the_new_target():
    events = [
        ev("e1", "2025-03-10 09:00", "created", priority="P3", status="New"),
        ev("e2", "2025-03-10 09:30", "status_changed", status="Pending customer"),
        ev("e3", "2025-03-10 10:00", "updated", priority="P1"),
        ev("e4", "2025-03-10 11:00", "status_changed", status="In Progress"),
    ]

    p3 = one(compute_clocks(P3, events, at("2025-03-10 12:00")))
    p1_pending = one(compute_clocks(P1, events, at("2025-03-10 10:30")))
    p1 = one(compute_clocks(P1, events, at("2025-03-10 12:00")))

    assert (p3.state, p3.elapsed, p3.paused) == (ClockState.CANCELLED, 1800, 1800)
    # the P1 clock was paused when it started to apply, and stays so until 11:00
    assert p1_pending.state == ClockState.PAUSED
    assert p1_pending.due_at == at("2025-03-10 14:00")
    assert (p1.state, p1.elapsed, p1.paused) == (ClockState.RUNNING, 5400, 5400)
    assert p1.due_at == at("2025-03-10 14:30")


def test_a_target_that_applies_again_gets_a_new_clock_from_the_original_start():
    events = [
        ev("e1", "2025-03-10 09:00", "created", priority="P1"),
        ev("e2", "2025-03-10 10:00", "updated", priority="P3"),
        ev("e3", "2025-03-10 11:00", "updated", priority="P1"),
    ]

    first, second = compute_clocks(P1, events, at("2025-03-10 12:00"))

    assert (first.cycle, first.state, first.elapsed) == (1, ClockState.CANCELLED, 3600)
    assert (second.cycle, second.state, second.elapsed) == (2, ClockState.RUNNING, 3 * 3600)
    assert second.started_at == at("2025-03-10 09:00")


def test_a_ticket_that_never_matches_the_scope_has_no_clock():
    events = [
        ev("e1", "2025-03-10 09:00", "created", priority="P3"),
        ev("e2", "2025-03-10 10:00", "resolved"),
    ]

    assert compute_clocks(P1, events, at("2025-03-10 12:00")) == []


# --- explain(), now, inputs ---

def test_explain_tells_the_story_of_a_clock():
    events = [
        ev("e1", "2025-03-07 16:30", "created", priority="P1", status="New"),
        ev("e2", "2025-03-07 17:00", "status_changed", status="Pending customer"),
        ev("e3", "2025-03-10 08:00", "status_changed", status="In Progress"),
        ev("e4", "2025-03-10 12:00", "resolved", status="Resolved"),
    ]

    clock = one(compute_clocks(P1, events, at("2025-03-10 13:00")))

    assert clock.explain() == [
        "2025-03-07T16:30Z started by event e1 (created)",
        "2025-03-07T17:00Z paused by event e2 (status became Pending customer)",
        "2025-03-10T08:00Z resumed by event e3 (status became In Progress)",
        "2025-03-10T09:30Z warned (50% of 4h used)",
        "2025-03-10T10:30Z warned (75% of 4h used)",
        "2025-03-10T11:06Z warned (90% of 4h used)",
        "2025-03-10T11:30Z breached (4h target exceeded)",
        "2025-03-10T12:00Z stopped by event e4 (resolved: status became Resolved)",
    ]


def test_explain_says_when_a_clock_started_retroactively():
    events = [
        ev("e1", "2025-03-10 09:00", "created", priority="P3"),
        ev("e2", "2025-03-10 10:00", "updated", priority="P1"),
    ]

    clock = one(compute_clocks(P1, events, at("2025-03-10 10:30")))

    assert clock.explain()[0] == ("2025-03-10T09:00Z started by event e1 (created; "
                                  "retroactive: applies since event e2: priority became P1)")


def test_events_after_now_are_ignored():
    events = [
        ev("e1", "2025-03-10 09:00", "created", priority="P1"),
        ev("e2", "2025-03-10 11:00", "resolved"),
    ]

    clock = one(compute_clocks(P1, events, at("2025-03-10 10:00")))

    assert clock.state == ClockState.RUNNING
    assert clock.elapsed == 3600


def test_it_reads_events_given_as_dicts():
    events = [
        {"ticket_id": "INC1", "event_id": "e1", "timestamp": "2025-03-10T09:00:00+00:00",
         "kind": "created", "priority": "P1", "team": "Service Desk"},
        {"ticket_id": "INC1", "event_id": "e2", "timestamp": "2025-03-10T10:00:00Z",
         "kind": "resolved"},
    ]

    clock = one(compute_clocks(P1, events, at("2025-03-10 12:00")))

    assert (clock.ticket_id, clock.state, clock.elapsed) == ("INC1", ClockState.MET, 3600)
    assert clock.attribution == {Holder("team", "Service Desk"): 3600}


def test_it_refuses_a_naive_now():
    events = [ev("e1", "2025-03-10 09:00", "created", priority="P1")]

    with pytest.raises(ValueError, match="now: naive datetime 2025-03-10T10:00:00"):
        compute_clocks(P1, events, datetime(2025, 3, 10, 10, 0))


def test_it_refuses_events_of_two_tickets():
    events = [
        ev("e1", "2025-03-10 09:00", "created", priority="P1"),
        Event(ticket_id="INC2", event_id="x", timestamp=at("2025-03-10 09:30"), kind="created"),
    ]

    with pytest.raises(ValueError, match="ticket_id: events of several tickets"):
        compute_clocks(P1, events, at("2025-03-10 10:00"))


def test_a_ticket_without_events_has_no_clocks():
    assert compute_clocks(P1, [], datetime(2025, 3, 10, tzinfo=UTC)) == []
