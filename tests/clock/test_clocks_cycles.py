"""Clock cycles and bookkeeping: reopen, update intervals, reset, cancel, warnings, attribution."""

from datetime import UTC, datetime, timedelta

import pytest

from accord.clock import (
    BusinessCalendar,
    ClockState,
    Event,
    Holder,
    TargetDefinition,
    compute_clocks,
)

DAY = datetime(2025, 6, 2, tzinfo=UTC)  # a Monday; these tests use a 24x7 calendar in UTC
PENDING = {"field": "status", "in": ["Pending customer"]}


def at(hhmm: str, day: int = 0) -> datetime:
    hours, minutes = hhmm.split(":")
    return DAY + timedelta(days=day, hours=int(hours), minutes=int(minutes))


def ev(event_id, when, kind, day=0, **fields) -> Event:
    return Event(ticket_id="INC7", event_id=event_id, timestamp=at(when, day), kind=kind, **fields)


def target(metric="resolution", hours=8.0, **rules) -> TargetDefinition:
    return TargetDefinition(id=metric, metric=metric, seconds=hours * 3600, **rules)


def summary(clocks):
    return [(c.cycle, c.state, c.started_at, c.stopped_at, c.elapsed) for c in clocks]


# --- reopen ---

REOPENED = [
    ev("e1", "09:00", "created", status="New"),
    ev("e2", "11:00", "resolved", status="Resolved"),
    ev("e3", "09:00", "reopened", day=1, status="In Progress"),
    ev("e4", "10:00", "resolved", day=1, status="Resolved"),
]


def test_a_reopened_ticket_starts_a_new_cycle_by_default():
    clocks = compute_clocks(target(), REOPENED, at("12:00", day=1))

    assert summary(clocks) == [
        (1, ClockState.MET, at("09:00"), at("11:00"), 7200),
        (2, ClockState.MET, at("09:00", day=1), at("10:00", day=1), 3600),
    ]


def test_a_reopened_ticket_can_resume_its_stopped_clock_instead():
    clocks = compute_clocks(target(reopen="resume"), REOPENED, at("12:00", day=1))

    assert summary(clocks) == [(1, ClockState.MET, at("09:00"), at("10:00", day=1), 10800)]
    assert [t.action for t in clocks[0].transitions] == ["started", "stopped", "resumed",
                                                         "stopped"]


def test_a_resumed_clock_can_breach_on_its_second_run():
    clocks = compute_clocks(target(hours=2.5, reopen="resume"), REOPENED, at("12:00", day=1))

    clock, = clocks
    assert clock.state == ClockState.BREACHED
    assert clock.breached_at == at("09:30", day=1)


def test_a_resumed_clock_that_had_used_its_whole_target_breaches_from_the_reopening():
    """Met with nothing to spare at 11:00, reopened the next day: the breach starts at
    the reopening, the next instant business time accrues -- not back at 11:00."""
    office = BusinessCalendar(tz="UTC", hours={d: [("08:00", "18:00")]
                                               for d in ("mon", "tue", "wed", "thu", "fri")})
    spec = TargetDefinition(id="r", metric="resolution", seconds=2 * 3600, calendar=office,
                            reopen="resume")
    events = REOPENED[:2] + [ev("e3", "18:00", "reopened", day=1, status="In Progress")]

    clock, = compute_clocks(spec, events, at("19:00", day=1))

    assert (clock.state, clock.elapsed, clock.due_at) == (ClockState.RUNNING, 7200, at("11:00"))
    assert clock.next_event_at == at("08:00", day=2)  # Wednesday's opening, after now


def test_while_reopened_the_resumed_clock_is_open_again():
    clocks = compute_clocks(target(reopen="resume"), REOPENED[:3], at("09:30", day=1))

    assert summary(clocks) == [(1, ClockState.RUNNING, at("09:00"), None, 9000)]


# --- update interval ---

def test_each_public_update_starts_a_new_update_interval():
    interval = target("update_interval", hours=2)
    events = [
        ev("e1", "09:00", "created"),
        ev("e2", "10:00", "commented", public=True),
        ev("e3", "11:00", "commented", public=False),  # a private note is not an update
        ev("e4", "13:00", "updated", public=True, status="In Progress"),
        ev("e5", "13:30", "resolved", status="Resolved"),
    ]

    clocks = compute_clocks(interval, events, at("18:00"))

    assert summary(clocks) == [
        (1, ClockState.MET, at("09:00"), at("10:00"), 3600),
        (2, ClockState.BREACHED, at("10:00"), at("13:00"), 3 * 3600),
        (3, ClockState.MET, at("13:00"), at("13:30"), 1800),
    ]
    assert clocks[1].breached_at == at("12:00")


def test_the_current_update_interval_runs_until_the_next_public_update():
    interval = target("update_interval", hours=2)
    events = [ev("e1", "09:00", "created"), ev("e2", "10:00", "responded")]

    clocks = compute_clocks(interval, events, at("10:30"))

    assert summary(clocks)[-1] == (2, ClockState.RUNNING, at("10:00"), None, 1800)
    assert clocks[-1].due_at == at("12:00")


# --- reset and cancel ---

def test_a_reset_restarts_the_current_cycle_from_zero():
    moved = target(hours=4, reset={"changed": "service"})
    events = [
        ev("e1", "09:00", "created", service="Email"),
        ev("e2", "12:00", "updated", service="Payroll"),
    ]

    clock, = compute_clocks(moved, events, at("13:00"))

    assert (clock.cycle, clock.state, clock.elapsed) == (1, ClockState.RUNNING, 3600)
    assert clock.due_at == at("16:00")
    # the first run's warnings (50 % at 11:00, 75 % at 12:00) are forgotten; 50 % fires again
    assert clock.warnings == {}
    assert clock.next_event_at == at("14:00")
    assert [t.action for t in clock.transitions] == ["started", "warned", "warned", "reset"]


def test_the_cancel_condition_cancels_the_clock():
    cancellable = target(cancel={"field": "status", "equals": "Cancelled"})
    events = [
        ev("e1", "09:00", "created", status="New"),
        ev("e2", "10:00", "status_changed", status="Cancelled"),
    ]

    clock, = compute_clocks(cancellable, events, at("12:00"))

    assert (clock.state, clock.stopped_at, clock.elapsed) == (ClockState.CANCELLED, at("10:00"),
                                                              3600)
    assert clock.explain()[-1] == ("2025-06-02T10:00Z cancelled by event e2 "
                                   "(cancel condition: status became Cancelled)")


# --- warnings ---

def test_warnings_are_crossed_once_each_with_their_instants():
    ten_hours = target(hours=10, pause=PENDING)
    events = [
        ev("e1", "08:00", "created", status="New", team="Desk"),
        ev("e2", "09:00", "updated", team="Network"),  # splits the segment, not the warnings
        ev("e3", "14:00", "status_changed", status="Pending customer"),
        ev("e4", "15:00", "status_changed", status="In Progress"),
    ]

    clock, = compute_clocks(ten_hours, events, at("18:30"))

    assert clock.warnings == {50: at("13:00"), 75: at("16:30"), 90: at("18:00")}
    warned = [t for t in clock.transitions if t.action == "warned"]
    assert [(t.at, t.reason) for t in warned] == [
        (at("13:00"), "50% of 10h used"),
        (at("16:30"), "75% of 10h used"),
        (at("18:00"), "90% of 10h used"),
    ]
    assert clock.next_event_at == at("19:00")  # the breach


def test_only_warnings_crossed_by_now_are_reported():
    events = [ev("e1", "08:00", "created")]

    clock, = compute_clocks(target(hours=10), events, at("14:00"))

    assert clock.warnings == {50: at("13:00")}
    assert clock.next_event_at == at("15:30")


def test_a_paused_clock_delays_its_warnings():
    events = [
        ev("e1", "08:00", "created", status="New"),
        ev("e2", "10:00", "status_changed", status="Pending customer"),
        ev("e3", "12:00", "status_changed", status="In Progress"),
    ]

    paused, = compute_clocks(target(hours=8, pause=PENDING), events, at("11:00"))
    resumed, = compute_clocks(target(hours=8, pause=PENDING), events, at("17:00"))

    assert paused.warnings == {} and paused.next_event_at is None
    # 50 % (4 h) would be 12:00 without the pause; two pending hours move it to 14:00
    assert resumed.warnings == {50: at("14:00"), 75: at("16:00")}


def test_a_met_clock_keeps_only_the_warnings_crossed_before_it_stopped():
    events = [ev("e1", "08:00", "created"), ev("e2", "14:30", "resolved")]

    clock, = compute_clocks(target(hours=8), events, at("20:00"))

    assert clock.warnings == {50: at("12:00"), 75: at("14:00")}
    assert clock.state == ClockState.MET


def test_warnings_can_be_chosen_per_target():
    events = [ev("e1", "08:00", "created")]

    clock, = compute_clocks(target(hours=10, warnings=[80]), events, at("17:00"))

    assert clock.warnings == {80: at("16:00")}


# --- segment attribution ---

def test_business_time_is_attributed_to_the_team_or_supplier_holding_the_ticket():
    events = [
        ev("e1", "09:00", "created", team="Service Desk"),
        ev("e2", "10:00", "updated", team="Network"),
        ev("e3", "11:00", "updated", supplier="Acme Telecom"),
        ev("e4", "13:00", "status_changed", status="Pending customer"),
        ev("e5", "14:00", "status_changed", status="In Progress"),
        ev("e6", "15:00", "updated", supplier=""),  # handed back to the network team
        ev("e7", "15:30", "resolved"),
    ]

    clock, = compute_clocks(target(pause=PENDING), events, at("18:00"))

    assert clock.attribution == {
        Holder("team", "Service Desk"): 3600,
        Holder("team", "Network"): 3600 + 1800,
        Holder("supplier", "Acme Telecom"): 3 * 3600,
    }
    assert sum(clock.attribution.values()) == clock.elapsed
    assert clock.paused == 3600
    assert [(s.start, s.end, s.state, s.holder) for s in clock.segments[2:4]] == [
        (at("11:00"), at("13:00"), ClockState.RUNNING, Holder("supplier", "Acme Telecom")),
        (at("13:00"), at("14:00"), ClockState.PAUSED, Holder("supplier", "Acme Telecom")),
    ]


def test_attribution_follows_business_hours():
    office = BusinessCalendar(tz="UTC", hours={"mon": [("09:00", "17:00")]})
    events = [
        ev("e1", "16:00", "created", team="Desk"),
        ev("e2", "10:00", "updated", day=7, supplier="Acme"),
        ev("e3", "11:00", "resolved", day=7),
    ]

    clock, = compute_clocks(target(hours=8, calendar=office), events, at("12:00", day=7))

    assert clock.attribution == {Holder("team", "Desk"): 2 * 3600,
                                 Holder("supplier", "Acme"): 3600}


def test_unassigned_time_is_attributed_to_nobody():
    events = [ev("e1", "09:00", "created"), ev("e2", "10:00", "updated", team="Desk")]

    clock, = compute_clocks(target(), events, at("10:30"))

    assert clock.attribution == {None: 3600, Holder("team", "Desk"): 1800}


# --- target definitions ---

def test_a_target_definition_round_trips_through_a_dict():
    office = BusinessCalendar(tz="Europe/London", hours={"mon": [("08:00", "18:00")]},
                              country="GB", subdivision="ENG")
    original = TargetDefinition(
        id="gold-p1", metric="resolution", seconds=14400, calendar=office, warnings=(90, 50),
        applies={"all": [{"field": "priority", "equals": "P1"},
                         {"field": "type", "equals": "incident"}]},
        pause=PENDING, reopen="resume")

    stored = original.to_dict()

    assert TargetDefinition.from_dict(stored) == original
    assert stored["warnings"] == [50, 90]
    assert stored["stop"] == {"kind": ["resolved", "closed"]}  # defaults are written out
    assert stored["cancel"] == {"any": []}


@pytest.mark.parametrize("bad, message", [
    ({"metric": "speed"}, "metric: unknown metric 'speed'"),
    ({"seconds": 0}, "seconds: expected a number of seconds > 0, got 0"),
    ({"seconds": "4h"}, "seconds: expected a number of seconds > 0, got '4h'"),
    ({"warnings": [50, 120]}, "warnings\\[1\\]: expected a percent between 0 and 100, got 120"),
    ({"pause": {"all": [{"field": "state", "in": ["x"]}]}}, "pause.all\\[0\\].field: unknown"),
    ({"reopen": "again"}, "reopen: expected new_cycle or resume, got 'again'"),
    ({"colour": "red"}, "colour: unknown field"),
    ({"calendar": {"tz": "Mars/Olympus"}}, "calendar: .*Mars/Olympus"),
])
def test_a_bad_target_definition_is_refused_naming_the_field(bad, message):
    data = {"id": "t", "metric": "resolution", "seconds": 3600, **bad}

    with pytest.raises(ValueError, match=message):
        TargetDefinition.from_dict(data)
