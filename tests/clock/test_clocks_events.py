"""The normalized ticket event and the ticket states it folds into."""

from datetime import UTC, datetime, timedelta

import pytest

from accord.clock import Event, canonical, replay

T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def row(**fields):
    base = {"ticket_id": "INC1", "timestamp": "2025-03-10T09:00:00+00:00", "kind": "created"}
    return {**base, **fields}


def test_it_reads_a_full_event_and_keeps_its_instant_in_utc():
    event = Event.from_dict(row(
        source="servicenow", event_id="42", timestamp="2025-03-10T10:00:00+01:00",
        status="New", priority=1, impact="High", urgency="High", type="incident",
        service="Email", customer="ACME", team="Service Desk", supplier="Telco",
        public="true", payload={"category": "network"}))

    assert event.timestamp == T0 and event.timestamp.tzinfo is UTC
    assert event.priority == "1"  # numbers are read as text
    assert event.public is True
    assert event.payload == {"category": "network"}
    assert Event.from_dict(event.to_dict()) == event


@pytest.mark.parametrize("bad, message", [
    ({"timestamp": "2025-03-10T09:00:00"}, "timestamp: naive datetime 2025-03-10T09:00:00"),
    ({"timestamp": "yesterday"}, "timestamp: not an ISO 8601 instant: 'yesterday'"),
    ({"timestamp": None}, "timestamp: required"),
    ({"ticket_id": ""}, "ticket_id: required"),
    ({"kind": "escalated"}, "kind: unknown kind 'escalated'"),
    ({"priority": ["P1"]}, "priority: expected text, got \\['P1'\\]"),
    ({"public": "maybe"}, "public: expected true or false, got 'maybe'"),
    ({"payload": "[1, 2]"}, "payload: expected an object"),
    ({"payload": "{oops"}, "payload: not valid JSON"),
    ({"assignee": "bob"}, "assignee: unknown field"),
])
def test_it_refuses_a_bad_event_naming_the_field(bad, message):
    with pytest.raises(ValueError, match=message):
        Event.from_dict(row(**bad))


def test_it_refuses_a_naive_timestamp_when_built_directly():
    with pytest.raises(ValueError, match="timestamp: naive datetime"):
        Event(ticket_id="INC1", timestamp=datetime(2025, 3, 10, 9, 0), kind="created")


def test_an_event_without_an_id_gets_a_stable_one_from_its_content():
    first = Event.from_dict(row(status="New"))
    again = Event.from_dict(row(status="New"))
    other = Event.from_dict(row(status="Open"))

    assert first.event_id.startswith("auto-")
    assert first.event_id == again.event_id != other.event_id


def test_absent_fields_keep_their_value_and_empty_text_clears_it():
    events = [
        Event.from_dict(row(event_id="1", team="Desk", supplier="Acme", priority="P2",
                            payload={"category": "network", "site": "HQ"})),
        Event.from_dict(row(event_id="2", kind="updated", timestamp="2025-03-10T10:00:00Z",
                            supplier="", payload={"site": None})),
    ]

    (_, before1, after1), (_, before2, after2) = replay(events)

    assert before1 == {}
    assert after1 == {"team": "Desk", "supplier": "Acme", "priority": "P2",
                      "payload.category": "network", "payload.site": "HQ"}
    assert before2 == after1
    assert after2 == {"team": "Desk", "priority": "P2", "payload.category": "network"}


def test_events_are_ordered_by_time_then_kind_then_identity():
    same_time = [
        Event(ticket_id="T", event_id="b", timestamp=T0, kind="resolved"),
        Event(ticket_id="T", event_id="a", timestamp=T0, kind="commented"),
        Event(ticket_id="T", event_id="c", timestamp=T0 - timedelta(hours=1), kind="created"),
        Event(ticket_id="T", event_id="z", timestamp=T0, kind="commented", source="jira"),
    ]

    assert [e.event_id for e in canonical(same_time)] == ["c", "a", "z", "b"]


def test_duplicates_are_dropped_by_source_and_event_id():
    one = Event(ticket_id="T", source="sn", event_id="1", timestamp=T0, kind="created")
    same_id_other_source = Event(ticket_id="T", source="jira", event_id="1", timestamp=T0,
                                 kind="created")

    assert canonical([one, one, same_id_other_source, one]) == [same_id_other_source, one]


def test_a_conflicting_duplicate_is_resolved_the_same_way_in_any_order():
    early = Event(ticket_id="T", event_id="1", timestamp=T0, kind="updated", status="A")
    late = Event(ticket_id="T", event_id="1", timestamp=T0 + timedelta(minutes=1),
                 kind="updated", status="B")
    twin = Event(ticket_id="T", event_id="1", timestamp=T0, kind="updated", status="C")

    assert canonical([early, late, twin]) == canonical([twin, late, early]) == [early]
