"""The condition language: what each test means, JSON round trips, validation errors."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.clock import Condition, Event
from accord.clock.events import apply

T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
TICKET = {"status": "Pending customer", "priority": "P1", "type": "incident", "team": "Desk",
          "payload.category": "network"}


def holds(condition, after=TICKET, before=None, kind="updated", public=None) -> bool:
    event = Event(ticket_id="T", event_id="e", timestamp=T0, kind=kind, public=public)
    return Condition.from_json(condition).evaluate(before if before is not None else after,
                                                   after, event)


@pytest.mark.parametrize("condition, expected", [
    ({"field": "status", "in": ["Pending customer", "Awaiting User Info"]}, True),
    ({"field": "status", "in": ["In Progress"]}, False),
    ({"field": "priority", "equals": "P1"}, True),
    ({"field": "priority", "equals": "P2"}, False),
    ({"field": "type", "equals": "incident"}, True),
    ({"field": "team", "equals": "Desk"}, True),
    ({"field": "supplier", "set": False}, True),
    ({"field": "supplier", "set": True}, False),
    ({"field": "supplier", "equals": "Acme"}, False),
    ({"field": "payload.category", "equals": "network"}, True),
    ({"field": "payload.site", "set": True}, False),
    ({"all": [{"field": "priority", "equals": "P1"}, {"field": "type", "equals": "incident"}]},
     True),
    ({"all": [{"field": "priority", "equals": "P1"}, {"field": "type", "equals": "request"}]},
     False),
    ({"any": [{"field": "priority", "equals": "P2"}, {"field": "team", "equals": "Desk"}]}, True),
    ({"not": {"field": "priority", "equals": "P1"}}, False),
    (None, True),
    ({}, True),
    ({"all": []}, True),
    ({"any": []}, False),
])
def test_conditions_test_the_ticket_after_the_event(condition, expected):
    assert holds(condition) is expected


def test_kind_tests_the_event_itself():
    assert holds({"kind": ["resolved", "closed"]}, kind="closed")
    assert holds({"kind": "resolved"}, kind="resolved")
    assert not holds({"kind": ["resolved", "closed"]}, kind="commented")


def test_public_tests_the_event_flag():
    assert holds({"field": "public", "equals": True}, kind="commented", public=True)
    assert not holds({"field": "public", "equals": True}, kind="commented", public=False)
    assert not holds({"field": "public", "equals": True}, kind="commented", public=None)


def test_changed_compares_the_ticket_before_and_after_the_event():
    before = dict(TICKET, priority="P3")

    assert holds({"changed": "priority"}, before=before)
    assert not holds({"changed": "status"}, before=before)
    assert holds({"changed": "payload.category"}, before={})


def test_conditions_can_be_combined_in_python():
    p1 = Condition.from_json({"field": "priority", "equals": "P1"})
    incident = Condition.from_json({"field": "type", "equals": "incident"})

    assert (p1 & ~incident).to_json() == {"all": [{"field": "priority", "equals": "P1"},
                                                  {"not": {"field": "type",
                                                           "equals": "incident"}}]}
    assert (p1 | incident) == Condition.from_json({"any": [p1.to_json(), incident.to_json()]})


def test_numbers_compare_as_text_on_ticket_fields_like_events_do():
    event = Event.from_dict({"ticket_id": "T", "timestamp": "2025-03-10T09:00:00Z",
                             "kind": "created", "priority": 1})
    after = apply({}, event)

    assert Condition.from_json({"field": "priority", "in": [1, 2]}).evaluate({}, after, event)


def test_a_nested_condition_round_trips_through_json():
    obj = {"all": [
        {"field": "priority", "in": ["P1", "P2"]},
        {"any": [{"changed": "team"}, {"kind": ["reopened"]}]},
        {"not": {"field": "payload.vip", "set": True}},
        {"field": "payload.score", "equals": 4.5},
    ]}

    condition = Condition.from_json(obj)

    assert condition.to_json() == obj
    assert Condition.from_json(condition.to_json()) == condition


@pytest.mark.parametrize("bad, message", [
    ({"all": [{}, {"field": "prio", "equals": "P1"}]}, "all\\[1\\].field: unknown field 'prio'"),
    ({"any": [{"field": "status"}]}, "any\\[0\\]: expected exactly one of equals, in, set"),
    ({"field": "status", "equals": "a", "in": ["b"]}, "condition: expected exactly one of"),
    ({"field": "status", "like": "Pend%"}, "like: unknown operator"),
    ({"field": "status", "in": []}, "in: expected a non-empty list"),
    ({"field": "status", "in": "Pending"}, "in: expected a non-empty list"),
    ({"field": "status", "equals": None}, "equals: expected text, got None"),
    ({"field": "status", "set": "yes"}, "set: expected true or false"),
    ({"field": "public", "equals": "yes"}, "equals: public is compared with true or false"),
    ({"not": {"all": [{"kind": ["resolved", "solved"]}]}},
     "not.all\\[0\\].kind\\[1\\]: unknown kind 'solved'"),
    ({"changed": "public"}, "changed: unknown field 'public'"),
    ({"all": {"field": "status"}}, "all: expected a list of conditions"),
    ({"any": [1]}, "any\\[0\\]: expected an object, got 1"),
    ({"eval": "__import__('os')"}, "eval: unknown operator"),
    ({"all": [], "any": []}, "condition: expected one of field, changed, kind, all, any, not"),
    ("status == 'P1'", "condition: expected an object"),
])
def test_a_bad_condition_is_refused_naming_the_bad_part(bad, message):
    with pytest.raises(ValueError, match=message):
        Condition.from_json(bad)


def test_errors_carry_the_path_given_by_the_caller():
    with pytest.raises(ValueError, match="pause.any\\[2\\].field: unknown field 'stat'"):
        Condition.from_json({"any": [{}, {}, {"field": "stat", "in": ["x"]}]}, "pause")


FIELDS = st.sampled_from(["status", "priority", "team", "payload.category"])
VALUES = st.sampled_from(["P1", "P2", "Desk", "Pending customer"])
LEAVES = st.one_of(
    st.builds(lambda f, v: {"field": f, "equals": v}, FIELDS, VALUES),
    st.builds(lambda f, vs: {"field": f, "in": vs}, FIELDS, st.lists(VALUES, min_size=1,
                                                                      max_size=3)),
    st.builds(lambda f, b: {"field": f, "set": b}, FIELDS, st.booleans()),
    st.builds(lambda f: {"changed": f}, FIELDS),
    st.builds(lambda ks: {"kind": ks}, st.lists(st.sampled_from(["created", "resolved"]),
                                                min_size=1, max_size=2)),
)
TREES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.builds(lambda xs: {"all": xs}, st.lists(inner, max_size=3)),
    st.builds(lambda xs: {"any": xs}, st.lists(inner, max_size=3)),
    st.builds(lambda x: {"not": x}, inner),
), max_leaves=8)


@settings(max_examples=100, deadline=None)
@given(TREES)
def test_any_valid_condition_round_trips_and_not_inverts_it(obj):
    condition = Condition.from_json(obj)

    assert condition.to_json() == obj
    assert holds({"not": obj}) is not holds(obj)
