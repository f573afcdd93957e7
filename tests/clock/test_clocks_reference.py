"""The engine's two paths give the clocks of the engine as first written, field for field.

``tests/clock/reference.py`` is the original machine, which computes as it replays. The
engine now traces the rules first and measures afterwards: ``compute_ticket_clocks`` with
scalar calendar calls, ``compute_many`` for a whole batch with NumPy, sharing one trace
between tickets whose histories look alike. Random histories exercise every rule: pauses,
hand-offs between teams and suppliers, priority changes that move a ticket between
targets, resets, cancellations, reopening, update intervals, ties and late events.
"""

import json
import random
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.clock import BusinessCalendar, Event, TargetDefinition, compute_ticket_clocks
from accord.clock._measure import VectorCalc
from accord.clock.clocks import ROW_FIELDS, _jobs, compute_many, compute_rows

from . import reference

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2025, 3, 20, 9, 0, tzinfo=LONDON)  # the clocks go forward on 30 March
OFFICE = BusinessCalendar(tz="Europe/London", hours={
    d: [("08:00", "12:30"), ("13:30", "18:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    holidays=["2025-03-24"], exceptions={"2025-03-28": [("08:00", "13:00")]})
NIGHTS = BusinessCalendar(tz="America/New_York", hours={
    d: [("22:00", "06:00")] for d in ("sun", "mon", "tue", "wed", "thu")})
PENDING = {"field": "status", "in": ["Pending customer"]}
DESK = {"field": "team", "equals": "Desk"}
TARGETS = [
    TargetDefinition(id="p1", metric="resolution", seconds=4 * 3600, calendar=OFFICE,
                     applies={"field": "priority", "equals": "P1"}, pause=PENDING,
                     reopen="resume"),
    TargetDefinition(id="p3", metric="resolution", seconds=8 * 3600, calendar=OFFICE,
                     applies={"field": "priority", "equals": "P3"}, pause=PENDING,
                     warnings=[25, 50, 75, 90], reset={"changed": "service"},
                     cancel={"field": "status", "equals": "Cancelled"}),
    TargetDefinition(id="response", metric="response", seconds=1800, calendar=OFFICE),
    TargetDefinition(id="updates", metric="update_interval", seconds=2 * 3600, pause=PENDING),
    TargetDefinition(id="24x7", metric="resolution", seconds=2 * 86400, warnings=[]),
    TargetDefinition(id="nights", metric="fulfilment", seconds=3 * 3600, calendar=NIGHTS,
                     resume={"field": "status", "equals": "In Progress"}, pause=PENDING),
    # an OLA: runs while the Desk holds the ticket and no supplier has it
    TargetDefinition(id="ola", metric="resolution", seconds=3600, calendar=OFFICE,
                     pause={"any": [{"not": DESK}, {"field": "supplier", "set": True}]},
                     resume={"not": {"any": [{"not": DESK}, {"field": "supplier", "set": True}]}}),
    # a UC: runs while Acme holds the ticket
    TargetDefinition(id="uc", metric="resolution", seconds=7200, calendar=OFFICE,
                     pause={"not": {"field": "supplier", "equals": "Acme"}},
                     applies={"field": "payload.tier", "in": ["gold"]}),
]

maybe = lambda *values: st.sampled_from((None, *values))  # noqa: E731
STEP = st.fixed_dictionaries({
    "kind": st.sampled_from(["updated", "status_changed", "commented", "responded", "resolved",
                             "closed", "reopened", "created"]),
    "minutes": st.sampled_from([0, 0, 1, 10, 30, 60, 240, 600, 1440, 3000]),
    "status": maybe("In Progress", "Pending customer", "Resolved", "Cancelled"),
    "priority": maybe("P1", "P3"),
    "team": maybe("Desk", "Network"),
    "supplier": maybe("Acme", ""),
    "service": maybe("Email", "Payroll"),
    "public": maybe(True, False),
    "payload": st.sampled_from([{}, {}, {"tier": "gold"}, {"tier": None}, {"note": "x"}]),
})


def history(name: str, opened: datetime, steps) -> list[Event]:
    events = [Event(name, opened, "created", event_id=f"{name}-0", status="New",
                    priority="P3", team="Desk")]
    at = opened
    for i, step in enumerate(steps, 1):
        fields = dict(step)
        at += timedelta(minutes=fields.pop("minutes"))
        events.append(Event(name, at, event_id=f"{name}-{i}", **fields))
    return events


BATCH = st.lists(st.tuples(st.integers(0, 9000), st.lists(STEP, max_size=8)),
                 min_size=1, max_size=6)
NOW = st.integers(0, 10 * 24 * 60).map(lambda n: T0 + timedelta(minutes=n))


def as_row(clock) -> tuple:
    """A ``Clock`` in the stored form ``compute_rows`` gives, by way of ``json.dumps``."""
    def dumps(value):
        return json.dumps(value, separators=(",", ":"))

    def holder(h):
        return None if h is None else str(h)

    row = {
        **{name: getattr(clock, name, None) for name in ROW_FIELDS},
        "state": str(clock.state), "started_at": clock.started_at,
        "warnings": dumps({f"{p:g}": at.isoformat() for p, at in clock.warnings.items()}),
        "transitions": dumps([{"at": t.at.isoformat(), "action": str(t.action),
                               "event_id": t.event_id, "reason": t.reason}
                              for t in clock.transitions]),
        "segments": dumps([{"start": s.start.isoformat(), "end": s.end.isoformat(),
                            "state": str(s.state), "holder": holder(s.holder),
                            "seconds": s.seconds} for s in clock.segments]),
        "attribution": dumps({holder(h) or "unassigned": s
                              for h, s in clock.attribution.items()}),
    }
    return tuple(row[name] for name in ROW_FIELDS)


def check(histories, now):
    expected = [reference.compute_ticket_clocks(TARGETS, events, now) for events in histories]
    assert [compute_ticket_clocks(TARGETS, events, now) for events in histories] == expected
    items = [(TARGETS, events) for events in histories]
    assert compute_many(items, now, calc=VectorCalc(threshold=1)) == expected
    assert compute_many(items, now) == expected
    rows = [[as_row(c) for c in clocks] for clocks in expected]
    assert compute_rows(items, now) == rows
    assert compute_rows(items, now, min_group=1) == rows  # every group a column at a time
    assert compute_rows(items, now, min_group=10**9) == rows  # every clock on its own
    # Lean rows (the what-if replay's): the same numbers, no timelines, attribution a dict.
    lean = [[(*r[:11], "{}", r[12], "[]", "[]", json.loads(r[15])) for r in clocks]
            for clocks in rows]
    assert compute_rows(items, now, lean=True) == lean
    assert compute_rows(items, now, min_group=1, lean=True) == lean
    assert compute_rows(items, now, min_group=10**9, lean=True) == lean
    return expected


@settings(max_examples=150, deadline=None)
@given(BATCH, NOW)
def test_random_batches_give_the_reference_clocks(batch, now):
    histories = [history(f"T{n}", T0 + timedelta(minutes=start), steps)
                 for n, (start, steps) in enumerate(batch)]
    check(histories, now)


@settings(max_examples=60, deadline=None)
@given(st.lists(STEP, max_size=8), st.lists(st.integers(0, 12000), min_size=2, max_size=8),
       NOW)
def test_tickets_sharing_a_trace_keep_their_own_instants_and_reasons(steps, starts, now):
    """The same history at other instants (and with other ids) is traced once, measured
    each on its own: pauses, warnings and breaches fall where that ticket's time says."""
    histories = [history(f"S{n}", T0 + timedelta(minutes=start), steps)
                 for n, start in enumerate(starts)]
    check(histories, now)


def test_a_thousand_mixed_tickets_give_the_reference_clocks():
    rnd = random.Random(4)
    kinds = [[], [("resolved", {})], [("commented", {}), ("resolved", {})],
             [("status_changed", {"status": "Pending customer"}),
              ("status_changed", {"status": "In Progress"}), ("resolved", {})],
             [("updated", {"priority": "P1"}), ("resolved", {})],
             [("updated", {"team": "Network"}), ("updated", {"supplier": "Acme"}),
              ("updated", {"supplier": ""}), ("resolved", {})],
             [("resolved", {}), ("reopened", {}), ("resolved", {})],
             [("commented", {"public": True}), ("commented", {"public": True})],
             [("updated", {"service": "Payroll"}), ("closed", {})]]
    histories = []
    for n in range(1000):
        steps = [{"kind": kind, "minutes": rnd.choice([0, 10, 60, 240, 1440]), **fields}
                 for kind, fields in rnd.choice(kinds)]
        histories.append(history(f"M{n}", T0 + timedelta(minutes=rnd.randrange(12000)), steps))
    now = T0 + timedelta(days=7)
    clocks = check(histories, now)
    states = {str(c.state) for ticket in clocks for c in ticket}
    assert {"met", "breached", "running", "paused", "cancelled"} <= states
    # both ways of measuring were exercised: a column at a time, and clock by clock
    jobs, _ = _jobs([(TARGETS, events) for events in histories], now)
    sizes = Counter((spec.id, id(template)) for spec, template, _ in jobs
                    if not template.resets)
    assert sum(n for n in sizes.values() if n >= 16) > 2000
    assert sum(n for n in sizes.values() if n < 16) > 200
    assert any(template.resets for _, template, _ in jobs)


def test_clocks_stopped_at_closing_time_or_on_a_holiday_give_the_reference_clocks():
    friday_close = datetime(2025, 3, 21, 18, 0, tzinfo=LONDON)
    histories = []
    for n, minutes in enumerate([-240, -30, 0, 60, 60 * 24 * 3 + 30]):
        opened = friday_close + timedelta(minutes=minutes)
        histories.append([
            Event(f"T{n}", opened, "created", event_id="a", priority="P1", team="Desk"),
            Event(f"T{n}", opened + timedelta(hours=4), "resolved", event_id="b")])
    check(histories, T0 + timedelta(days=9))


def test_event_ids_repeated_across_sources_are_told_apart():
    """(source, event_id) identifies an event: two sources may use the same id."""
    opened = T0
    events = [Event("X", opened, "created", source="crm", event_id="1", priority="P1"),
              Event("X", opened + timedelta(hours=1), "updated", source="mail", event_id="1",
                    priority="P3"),
              Event("X", opened + timedelta(hours=2), "updated", source="crm", event_id="2",
                    priority="P1")]
    other = [Event("Y", opened, "created", source="crm", event_id="1", priority="P1"),
             Event("Y", opened + timedelta(hours=1), "updated", source="mail", event_id="7",
                   priority="P3"),
             Event("Y", opened + timedelta(hours=2), "updated", source="crm", event_id="2",
                   priority="P1")]
    check([events, other], T0 + timedelta(days=2))


def test_events_of_several_tickets_are_refused():
    events = [Event("A", T0, "created"), Event("B", T0, "resolved")]
    with pytest.raises(ValueError, match="ticket_id: events of several tickets"):
        compute_many([(TARGETS, events)], T0 + timedelta(days=1))


def test_list_and_object_payload_values_read_by_a_condition():
    """A payload value may be any JSON: a list or an object read by a condition is told
    apart from other values and from text that spells it."""
    tagged = TargetDefinition(id="tagged", metric="resolution", seconds=3600,
                              pause={"field": "payload.tags", "set": True},
                              applies={"not": {"field": "payload.tags", "equals": "[\"vip\"]"}})
    histories = []
    for n, tags in enumerate([["vip"], ["vip"], "[\"vip\"]", {"a": [1]}, {"a": [1]}, None]):
        histories.append([
            Event(f"L{n}", T0, "created", event_id=f"L{n}-1", payload={"tags": tags}),
            Event(f"L{n}", T0 + timedelta(minutes=30), "updated", event_id=f"L{n}-2",
                  payload={"tags": None}),
            Event(f"L{n}", T0 + timedelta(hours=3), "resolved", event_id=f"L{n}-3")])
    now = T0 + timedelta(days=1)
    expected = [reference.compute_ticket_clocks([tagged], events, now) for events in histories]
    assert compute_many([([tagged], events) for events in histories], now) == expected
    assert [compute_ticket_clocks([tagged], events, now) for events in histories] == expected
    # the text '["vip"]' keeps the target from applying until the tags are gone; the list not
    retroactive = ["retroactive" in clocks[0].transitions[0].reason for clocks in expected]
    assert retroactive == [False, False, True, False, False, False]
    assert [clocks[0].paused for clocks in expected] == [1800.0] * 5 + [0.0]


def test_targets_built_afresh_for_each_ticket_are_never_confused():
    """Callers may build target definitions per ticket: a definition freed meanwhile must
    not lend its identity (and its traced clocks) to another one."""
    rnd = random.Random(7)

    def items():
        for n in range(400):
            never = rnd.random() < 0.5
            spec = TargetDefinition(id=f"t{n}", metric="resolution", seconds=3600,
                                    start={"kind": ["reopened"]} if never else None)
            yield [spec], [Event(f"F{n}", T0, "created", event_id="1"),
                           Event(f"F{n}", T0 + timedelta(hours=2), "resolved", event_id="2")]

    rnd.seed(7)
    expected = [reference.compute_ticket_clocks(targets, events, T0 + timedelta(days=1))
                for targets, events in items()]
    rnd.seed(7)
    assert compute_many(items(), T0 + timedelta(days=1)) == expected
    assert sum(map(len, expected)) > 100
