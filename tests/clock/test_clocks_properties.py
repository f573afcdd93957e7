"""Properties over random ticket histories: the set of events alone decides the clocks."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.clock import BusinessCalendar, ClockState, Event, TargetDefinition
from accord.clock import compute_ticket_clocks as compute

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2025, 3, 27, 9, 0, tzinfo=LONDON)  # a Thursday; the clocks go forward on Sunday
OFFICE = BusinessCalendar(tz="Europe/London",
                          hours={d: [("08:00", "18:00")] for d in ("mon", "tue", "wed", "thu",
                                                                   "fri")})
PENDING = {"field": "status", "in": ["Pending customer"]}
TARGETS = [
    TargetDefinition(id="p1", metric="resolution", seconds=4 * 3600, calendar=OFFICE,
                     applies={"field": "priority", "equals": "P1"}, pause=PENDING,
                     reopen="resume"),
    TargetDefinition(id="p3", metric="resolution", seconds=8 * 3600, calendar=OFFICE,
                     applies={"field": "priority", "equals": "P3"}, pause=PENDING,
                     reset={"changed": "service"},
                     cancel={"field": "status", "equals": "Cancelled"}),
    TargetDefinition(id="response", metric="response", seconds=1800, calendar=OFFICE),
    TargetDefinition(id="updates", metric="update_interval", seconds=2 * 3600, pause=PENDING),
]

maybe = lambda *values: st.sampled_from((None, *values))  # noqa: E731
EVENT_FIELDS = st.fixed_dictionaries({
    "kind": st.sampled_from(["updated", "status_changed", "commented", "responded", "resolved",
                             "closed", "reopened", "created"]),
    "minutes": st.integers(0, 6 * 24 * 2).map(lambda n: n * 30),  # ties are likely
    "status": maybe("In Progress", "Pending customer", "Resolved", "Cancelled"),
    "priority": maybe("P1", "P3"),
    "team": maybe("Desk", "Network"),
    "supplier": maybe("Acme", ""),
    "service": maybe("Email", "Payroll"),
    "public": maybe(True, False),
})


def history(items):
    events = [Event(ticket_id="INC9", event_id="e0", timestamp=T0, kind="created",
                    priority="P3", status="New", team="Desk")]
    for i, item in enumerate(items, 1):
        fields = dict(item)
        minutes = fields.pop("minutes")
        events.append(Event(ticket_id="INC9", event_id=f"e{i}",
                            timestamp=T0 + timedelta(minutes=minutes), **fields))
    return events


HISTORIES = st.lists(EVENT_FIELDS, max_size=10).map(history)
NOW = st.integers(0, 8 * 24 * 60).map(lambda n: T0 + timedelta(minutes=n))


@settings(max_examples=60, deadline=None)
@given(HISTORIES, NOW, st.randoms(use_true_random=False), st.data())
def test_shuffled_and_duplicated_events_give_identical_clocks(events, now, rnd, data):
    repeated = data.draw(st.lists(st.sampled_from(events), max_size=5))
    mixed = events + repeated
    rnd.shuffle(mixed)
    as_dicts = [e.to_dict() for e in reversed(mixed)]

    expected = compute(TARGETS, events, now)

    assert compute(TARGETS, mixed, now) == expected
    assert compute(TARGETS, as_dicts, now) == expected


@settings(max_examples=60, deadline=None)
@given(HISTORIES, NOW)
def test_every_clock_adds_up(events, now):
    clocks = compute(TARGETS, events, now)

    for target in TARGETS:
        mine = [c for c in clocks if c.target_id == target.id]
        assert [c.cycle for c in mine] == list(range(1, len(mine) + 1))
    for clock in clocks:
        running = sum(s.seconds for s in clock.segments if s.state == ClockState.RUNNING)
        paused = sum(s.seconds for s in clock.segments if s.state == ClockState.PAUSED)
        assert abs(running - clock.elapsed) < 1e-6
        assert abs(paused - clock.paused) < 1e-6
        assert abs(sum(clock.attribution.values()) - clock.elapsed) < 1e-6
        # met/breached compare business seconds with the target
        if clock.state == ClockState.BREACHED:
            assert clock.elapsed > clock.target and clock.breached_at is not None
        elif clock.state != ClockState.CANCELLED:
            assert clock.elapsed <= clock.target and clock.breached_at is None
        if clock.state in (ClockState.RUNNING, ClockState.PAUSED):
            assert clock.stopped_at is None
        elif clock.state in (ClockState.MET, ClockState.CANCELLED):
            assert clock.stopped_at is not None
        # warnings: only thresholds reached, each once, at instants not after now
        for percent, instant in clock.warnings.items():
            assert clock.elapsed >= clock.target * percent / 100
            assert instant <= (clock.stopped_at or now)
        warned = [t.reason for t in clock.transitions if t.action == "warned"]
        assert len(warned) >= len(clock.warnings)
        instants = [t.at for t in clock.transitions]
        assert instants == sorted(instants)
        if clock.next_event_at is not None:
            assert clock.next_event_at >= now and clock.state == ClockState.RUNNING
