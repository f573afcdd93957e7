"""Event intake through the service: each item judged on its own, stored once."""

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.accounts.models import AuditEntry
from accord.accounts.services import history
from accord.catalogue.models import Service, Team
from accord.clock.events import replay
from accord.measurement.models import Source, Ticket, TicketEvent
from accord.measurement.services import ingest_events, update_source
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def story():
    """INC1: opened on the Web Shop, handed from the desk to the network team, resolved."""
    return [
        {"source": "crm", "event_id": "e1", "ticket_id": "INC1", "kind": "created",
         "timestamp": "2025-03-03T09:00:00+01:00", "status": "New", "priority": "P2",
         "service": "Web Shop", "team": "Service Desk"},
        {"source": "crm", "event_id": "e2", "ticket_id": "INC1", "kind": "status_changed",
         "timestamp": "2025-03-03T09:30:00+01:00", "status": "In Progress",
         "team": "Network", "payload": {"category": "network"}},
        {"source": "crm", "event_id": "e3", "ticket_id": "INC1", "kind": "updated",
         "timestamp": "2025-03-03T10:00:00+01:00", "priority": "P1"},
        {"source": "crm", "event_id": "e4", "ticket_id": "INC1", "kind": "resolved",
         "timestamp": "2025-03-03T11:00:00+01:00", "status": "Resolved"},
    ]


@pytest.fixture
def catalogue(db):
    return {
        "shop": Service.objects.create(name="Web Shop"),
        "desk": Team.objects.create(name="Service Desk"),
        "network": Team.objects.create(name="Network"),
    }


def ticket_state(ticket_id="INC1"):
    t = Ticket.objects.get(ticket_id=ticket_id)
    return {
        "status": t.status, "priority": t.priority, "service": t.service_id, "team": t.team_id,
        "stage": t.stage, "opened_at": t.opened_at, "resolved_at": t.resolved_at,
        "last_event_at": t.last_event_at, "event_count": t.event_count, "payload": t.payload,
    }


def test_it_stores_events_and_derives_the_ticket(catalogue):
    result = ingest_events(story(), now=NOW)

    assert (result.stored, result.duplicates, result.rejected) == (4, 0, 0)
    ticket = Ticket.objects.get(source="crm", ticket_id="INC1")
    assert ticket.status == "Resolved"
    assert ticket.priority == "P1"
    assert ticket.service == catalogue["shop"]
    assert ticket.team == catalogue["network"]
    assert ticket.stage == "resolved"
    assert ticket.opened_at.isoformat() == "2025-03-03T08:00:00+00:00"
    assert ticket.resolved_at.isoformat() == "2025-03-03T10:00:00+00:00"
    assert ticket.payload == {"category": "network"}
    assert ticket.event_count == 4


def test_duplicates_and_any_order_give_the_same_ticket(catalogue):
    ingest_events(story(), now=NOW)
    in_order = ticket_state()
    Ticket.objects.all().delete()

    shuffled = story()
    random.Random(7).shuffle(shuffled)
    for item in shuffled:  # one at a time, out of order, each sent twice
        ingest_events([item, item], now=NOW)
    ingest_events(story(), now=NOW)

    assert ticket_state() == in_order
    assert TicketEvent.objects.count() == 4


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(6)), cut=st.integers(0, 6), repeat=st.integers(0, 5))
def test_batches_in_any_order_fold_like_the_clock_engine(catalogue, order, cut, repeat):
    """Whatever order and batching the events arrive in, the stored ticket is the state the
    pure engine's replay gives for the same events."""
    Ticket.objects.all().delete()
    items = story() + [
        {"source": "crm", "event_id": "e5", "ticket_id": "INC1", "kind": "reopened",
         "timestamp": "2025-03-03T12:00:00+01:00", "team": "", "payload": {"category": None}},
        {"source": "crm", "event_id": "e6", "ticket_id": "INC1", "kind": "commented",
         "timestamp": "2025-03-03T12:00:00+01:00", "status": "Reopened", "public": True},
    ]
    arrived = [items[i] for i in order] + [items[repeat]]
    ingest_events(arrived[:cut], now=NOW)
    ingest_events(arrived[cut:], now=NOW)

    expected = list(replay(items))[-1][2]
    ticket = Ticket.objects.get()
    assert ticket.status == expected["status"] == "Reopened"
    assert ticket.priority == expected["priority"]
    assert ticket.team is None and "team" not in expected  # "" cleared the team
    assert ticket.payload == {} and "payload.category" not in expected
    assert (ticket.stage, ticket.resolved_at, ticket.event_count) == ("open", None, 6)


def test_a_bad_item_does_not_block_the_good_ones_and_leaves_no_trace(catalogue):
    items = story() + [
        {"ticket_id": "INC9", "kind": "created", "timestamp": "2025-03-03T09:00:00+01:00",
         "service": "Web Shop", "team": "Brand New Team"},          # unknown team
        {"ticket_id": "INC8", "kind": "exploded", "timestamp": "2025-03-03T09:00:00Z"},
    ]

    result = ingest_events(items, now=NOW)

    assert [r.status for r in result.results] == ["stored"] * 4 + ["rejected"] * 2
    assert not Ticket.objects.filter(ticket_id__in=["INC8", "INC9"]).exists()
    assert not Team.objects.filter(name="Brand New Team").exists()
    assert TicketEvent.objects.count() == 4


def test_the_json_answer_is_the_result_as_json(catalogue):
    items = story() + [
        {"ticket_id": "INC9", "kind": "created", "timestamp": "2025-03-03T09:00:00+01:00",
         "event_id": "naïve \"quoted\" ✓", "team": "Brand New Team"},
        {"ticket_id": "INC8", "kind": "exploded", "timestamp": "2025-03-03T09:00:00Z"},
        story()[0], ["not", "an", "event"],
    ]

    result = ingest_events(items, now=NOW)

    assert json.loads(result.as_json()) == json.loads(json.dumps(result.as_dict()))
    assert result.as_json() == json.dumps(result.as_dict(), separators=(",", ":"))
    assert {r.status for r in result.results} == {"stored", "rejected", "duplicate"}


@pytest.mark.parametrize("change, field, words", [
    ({"timestamp": "2025-03-03T09:00:00"}, "timestamp", "naive"),
    ({"timestamp": "yesterday"}, "timestamp", "ISO 8601"),
    ({"kind": "exploded"}, "kind", "unknown kind"),
    ({"ticket_id": ""}, "ticket_id", "required"),
    ({"service": "Payroll"}, "service", "unknown service 'Payroll'"),
    ({"customer": "Acme"}, "customer", "unknown customer 'Acme'"),
    ({"supplier": "Telco"}, "supplier", "unknown supplier 'Telco'"),
    ({"status": "x" * 101}, "status", "longer than 100"),
    ({"public": "maybe"}, "public", "true or false"),
    ({"payload": [1, 2]}, "payload", "object"),
    ({"colour": "red"}, "colour", "unknown field"),
])
def test_each_rejection_names_the_field_and_the_reason(catalogue, change, field, words):
    item = {"ticket_id": "INC1", "kind": "created", "timestamp": "2025-03-03T09:00:00Z",
            **change}

    result = ingest_events([item], now=NOW)

    (only,) = result.results
    assert only.status == "rejected"
    assert only.errors[0]["field"] == (field if field != "colour" else None)
    assert words in only.errors[0]["msg"]
    assert not TicketEvent.objects.exists() and not Ticket.objects.exists()


def test_unknown_names_are_created_with_create_missing_and_audited(catalogue, analyst):
    item = {"ticket_id": "INC1", "kind": "created", "timestamp": "2025-03-03T09:00:00Z",
            "service": "Payroll", "supplier": "Telco"}

    result = ingest_events([item], now=NOW, user=analyst, create_missing=True)

    assert result.stored == 1
    payroll = Service.objects.get(name="Payroll")
    assert Ticket.objects.get().service == payroll
    (created,) = history(payroll)
    assert (created.action, created.actor) == ("create", "anna")


def test_a_source_may_be_configured_to_create_missing_names(catalogue, admin_user):
    ingest_events([{"source": "itsm", "ticket_id": "A", "kind": "created",
                    "timestamp": "2025-03-03T09:00:00Z"}], now=NOW)
    source = Source.objects.get(name="itsm")
    update_source(source, {"create_missing": True}, user=admin_user)

    result = ingest_events([{"source": "itsm", "ticket_id": "B", "kind": "created",
                             "timestamp": "2025-03-03T09:00:00Z", "team": "Night Shift"}],
                           now=NOW)

    assert result.stored == 1
    assert Team.objects.filter(name="Night Shift").exists()
    assert history(source).get(action="update").changes == {"create_missing": [False, True]}


def test_an_item_without_event_id_gets_a_stable_one_so_resending_is_harmless(catalogue):
    item = {"ticket_id": "INC1", "kind": "created", "timestamp": "2025-03-03T09:00:00Z"}

    first = ingest_events([item], now=NOW)
    again = ingest_events([dict(item)], now=NOW)

    assert first.results[0].event_id.startswith("auto-")
    assert again.results[0].status == "duplicate"
    assert again.results[0].event_id == first.results[0].event_id


def test_a_repeat_within_one_batch_is_a_duplicate_or_a_conflict(catalogue):
    item = story()[0]

    result = ingest_events([item, dict(item), dict(item, status="Changed my mind")], now=NOW)

    assert [r.status for r in result.results] == ["stored", "duplicate", "conflict"]
    assert result.results[2].errors[0]["field"] == "status"
    assert Ticket.objects.get().status == "New"


def test_intake_is_audited_per_source_and_keeps_when_it_arrived(catalogue, analyst):
    ingest_events(story(), now=NOW, user=analyst)

    (entry,) = AuditEntry.objects.filter(action="import")
    assert entry.actor == "anna" and "4 events stored" in entry.message
    assert {e.received_at for e in TicketEvent.objects.all()} == {NOW}


def test_now_must_be_aware():
    with pytest.raises(ValueError, match="now"):
        ingest_events([], now=NOW.replace(tzinfo=None))


def test_a_late_event_is_folded_in_its_place(catalogue):
    items = story()
    ingest_events(items[1:], now=NOW)
    assert Ticket.objects.get().opened_at.isoformat() == "2025-03-03T08:30:00+00:00"

    ingest_events(items[:1], now=NOW)  # the creation arrives last

    ticket = Ticket.objects.get()
    assert ticket.opened_at.isoformat() == "2025-03-03T08:00:00+00:00"
    assert ticket.status == "Resolved" and ticket.team.name == "Network"


def test_a_batch_mixing_stored_and_new_events_reports_each_exactly(catalogue):
    ingest_events(story()[:2], now=NOW)

    result = ingest_events(story(), now=NOW)

    assert [r.status for r in result.results] == ["duplicate", "duplicate", "stored", "stored"]
    assert ticket_state()["status"] == "Resolved" and ticket_state()["event_count"] == 4


def test_an_event_id_reused_for_another_ticket_is_a_conflict_and_creates_nothing(catalogue):
    ingest_events(story()[:1], now=NOW)

    result = ingest_events([dict(story()[0], ticket_id="INC2")], now=NOW)

    assert result.results[0].status == "conflict"
    assert result.results[0].errors[0]["field"] == "ticket_id"
    assert list(Ticket.objects.values_list("ticket_id", flat=True)) == ["INC1"]
