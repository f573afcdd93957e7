"""Jira Service Management webhooks, from fixtures shaped after Atlassian's documented
examples (each fixture names its source): the story of one incident through Accord's API as
Jira would send it."""

import random

import pytest

from accord.connectors.models import DeadLetter, Delivery
from accord.measurement.models import Clock, Ticket, TicketEvent
from tests.conftest import NOW  # noqa: F401
from tests.connectors.conftest import fixture, make_connector, story
from tests.measurement.clock_world import HOUR, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def jira(admin_user, world):
    return make_connector(admin_user, "jira", source="jira-acme")


def clocks():
    rows = Clock.objects.filter(ticket__ticket_id="SUP-1").order_by("target", "cycle")
    return [(c.target_id, c.cycle, c.kind, c.holder, c.state, c.started_at, c.stopped_at,
             c.elapsed_seconds, c.paused_seconds, c.breached_at, c.segments) for c in rows]


def test_the_story_of_an_incident_gives_the_clocks_an_slm_expects(jira, desk, world):
    for item in story("jira"):
        response = desk(jira).send(item)
        assert response.status_code == 200, response.data

    ticket = Ticket.objects.get(source="jira-acme", ticket_id="SUP-1")
    assert (ticket.status, ticket.priority, ticket.team.name, ticket.customer.name,
            ticket.service.name) == ("Resolved", "P1", "Second Line", "Acme", "Web Shop")
    kinds = list(TicketEvent.objects.filter(ticket=ticket).order_by("timestamp")
                 .values_list("kind", flat=True))
    assert kinds == ["created", "commented", "status_changed", "status_changed", "updated",
                     "updated", "resolved", "reopened", "resolved"]
    # The priority was raised to Highest (P1) at 12:30: P1's clock runs from 09:00; the
    # customer was waited for 10:00-12:00; resolved at 14:00: 3 hours used of 4.
    p1 = Clock.objects.get(ticket=ticket, target=world["p1"], cycle=1)
    assert (p1.state, p1.elapsed_seconds, p1.paused_seconds) == ("met", 3 * HOUR, 2 * HOUR)
    assert p1.started_at.isoformat() == "2025-03-03T09:00:00+00:00"
    assert not Clock.objects.filter(ticket=ticket, target=world["p3"], state="running")
    # Reopened at 15:00 and resolved again at 16:00: a second cycle of one hour.
    again = Clock.objects.get(ticket=ticket, target=world["p1"], cycle=2)
    assert (again.state, again.elapsed_seconds) == ("met", HOUR)
    # The second line took it over at 13:00 (OLA hand-off) until the resolution at 14:00.
    ola = Clock.objects.get(ticket=ticket, target=world["ola_target"], cycle=1)
    assert (ola.holder, ola.state, ola.elapsed_seconds) == ("Second Line", "met", HOUR)
    comment = TicketEvent.objects.get(ticket=ticket, kind="commented")
    assert comment.public is True and comment.event_id == "10001:comment:10200"
    jira.refresh_from_db()
    assert (jira.deliveries, jira.events_stored, jira.refused) == (9, 9, 0)


def test_delivered_twice_and_out_of_order_gives_the_same_clocks(jira, desk):
    items = story("jira")
    for item in items:
        desk(jira).send(item)
    in_order = clocks()
    Ticket.objects.all().delete()
    Delivery.objects.all().delete()

    shuffled = items * 2
    random.Random(7).shuffle(shuffled)
    for item in shuffled:
        assert desk(jira).send(item).status_code == 200

    assert clocks() == in_order
    assert len(in_order) >= 3
    assert TicketEvent.objects.count() == 9


def test_a_retry_with_the_same_webhook_identifier_stores_nothing_new(jira, desk):
    item = fixture("jira", "01_created")
    first = desk(jira).send(item)
    again = desk(jira).send(item)

    assert (first.data["stored"], again.data["stored"]) == (1, 0)
    assert again.data["duplicates"] == 1 and again.data["outcome"] == "accepted"
    assert TicketEvent.objects.count() == 1
    assert Delivery.objects.filter(connector=jira).count() == 2


def test_the_same_change_under_another_webhook_id_is_a_duplicate_by_content(jira, desk):
    item = fixture("jira", "03_into_pause")
    desk(jira).send(fixture("jira", "01_created"))
    desk(jira).send(item)
    resent = desk(jira).send({**item, "headers": {"X-Atlassian-Webhook-Identifier": "other"}})

    assert resent.status_code == 200
    assert (resent.data["stored"], resent.data["duplicates"]) == (0, 1)


def test_an_event_accord_does_not_measure_is_recorded_as_ignored(jira, desk):
    response = desk(jira).post({"webhookEvent": "jira:worklog_updated", "worklog": {}})

    assert response.status_code == 200 and response.data["outcome"] == "ignored"
    assert not TicketEvent.objects.exists()


def test_a_change_to_fields_accord_does_not_track_stores_nothing(jira, desk):
    item = fixture("jira", "05_priority")
    item["payload"]["changelog"]["items"] = [{"field": "summary", "fromString": "a",
                                               "toString": "b"}]
    response = desk(jira).send(item)

    assert response.data["outcome"] == "ignored"
    assert not DeadLetter.objects.exists()


def test_a_supplier_field_hands_the_ticket_to_a_supplier_and_back(admin_user, desk, world):
    from tests.connectors.conftest import JIRA_FIELDS

    mapping = {"fields": {**JIRA_FIELDS["fields"], "supplier": "customfield_10050"}}
    connector = make_connector(admin_user, "jira", name="with vendor", source="jira-v",
                               mapping=mapping)

    def vendor(change_id, at, old, new):
        item = fixture("jira", "05_priority")
        item["payload"]["issue"]["fields"]["updated"] = f"2025-03-03T{at}:00.000+0000"
        item["payload"]["changelog"] = {"id": change_id, "items": [
            {"field": "Vendor", "fieldtype": "custom", "fieldId": "customfield_10050",
             "fromString": old, "toString": new}]}
        item["headers"] = {}
        return item

    for item in (fixture("jira", "01_created"), vendor("20001", "12:00", None, "Vendor Co"),
                 vendor("20002", "13:30", "Vendor Co", None),
                 fixture("jira", "07_resolved")):
        assert desk(connector).send(item).status_code == 200

    uc = Clock.objects.get(ticket__source="jira-v", target=world["uc_target"])
    # The vendor held it from 12:00 until handing it back at 13:30 (resolved at 14:00).
    assert (uc.holder, uc.state, uc.elapsed_seconds) == ("Vendor Co", "met", 1.5 * HOUR)
