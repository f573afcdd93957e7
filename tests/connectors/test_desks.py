"""Contract tests per desk: each desk's story (creation, first response, into and out of a
pause state, priority change, hand-off to another team, resolution, reopening), posted as
the desk posts it, gives the events an SLM expects; twice and shuffled gives the same."""

import random

import pytest

from accord.catalogue.models import Customer, Service, Team
from accord.connectors.models import Delivery
from accord.measurement.models import Clock, Ticket, TicketEvent
from tests.connectors.conftest import make_connector, story

pytestmark = pytest.mark.django_db

FULL = ["created", "commented", "status_changed", "status_changed", "updated", "updated",
        "resolved", "reopened"]
EXPECTED = {
    # kind: (mapping, ticket id, kinds in time order, final status, priority, team)
    "zendesk": ({"groups": {"98738": "Service Desk", "98739": "Second Line"}}, "35436", FULL,
                "Open", "P1", "Second Line"),
    "servicenow": ({}, "INC0010001", FULL, "In Progress", "P1", "Second Line"),
    "freshservice": ({}, "4711", FULL, "In Progress", "P2", "Second Line"),
    # GLPI's webhook body is the ticket after the save, without the status before: saves are
    # updates unless they solve or close (pull sync adds the reopening, test_sync_glpi).
    "glpi": ({}, "4711", ["created", "commented", "updated", "updated", "updated", "updated",
                          "resolved", "updated"], "Processing (assigned)", "P2", "Second Line"),
    # Zammad's trigger payload has no previous state: pauses and resumes are updates.
    # An article's call carries the ticket too: an update beside the comment.
    "zammad": ({}, "31001", ["created", "updated", "commented", "updated", "updated",
                             "updated", "updated", "closed"], "closed", "P1", "Second Line"),
}


@pytest.fixture(autouse=True)
def teams(db):
    Team.objects.create(name="Service Desk")
    Team.objects.create(name="Second Line")
    Service.objects.create(name="Web Shop")
    Customer.objects.create(name="Acme")


def clocks():
    return sorted((c.target_id, c.cycle, c.state, c.elapsed_seconds, c.paused_seconds)
                  for c in Clock.objects.all())


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_the_desks_story_gives_the_expected_events(kind, admin_user, desk):
    mapping, ticket_id, kinds, status, priority, team = EXPECTED[kind]
    connector = make_connector(admin_user, kind, mapping=mapping)
    for item in story(kind):
        response = desk(connector).send(item)
        assert response.status_code == 200, (item["_source"], response.data)

    ticket = Ticket.objects.get(source=kind, ticket_id=ticket_id)
    events = TicketEvent.objects.filter(ticket=ticket).order_by("timestamp", "id")
    assert [e.kind for e in events] == kinds
    assert (ticket.status, ticket.priority, ticket.team.name) == (status, priority, team)
    paused = [e.payload.get("paused") for e in events if "paused" in e.payload]
    assert True in paused and paused[paused.index(True) + 1] is False
    comment = events.get(kind="commented")
    assert comment.public is True


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_twice_and_shuffled_gives_the_same_events(kind, admin_user, desk):
    mapping = EXPECTED[kind][0]
    connector = make_connector(admin_user, kind, mapping=mapping)
    items = story(kind)
    for item in items:
        desk(connector).send(item)
    in_order = sorted(TicketEvent.objects.values_list("event_id", "kind", "status", "team",
                                                      "priority"))
    Ticket.objects.all().delete()
    Delivery.objects.all().delete()  # else the desk's delivery ids say "stored already"

    shuffled = items * 2
    random.Random(3).shuffle(shuffled)
    for item in shuffled:
        assert desk(connector).send(item).status_code == 200

    assert sorted(TicketEvent.objects.values_list("event_id", "kind", "status", "team",
                                                  "priority")) == in_order


def test_a_zendesk_group_the_mapping_lacks_sets_no_team_but_is_kept(admin_user, desk):
    connector = make_connector(admin_user, "zendesk")  # no groups mapped
    for item in story("zendesk")[:1] + story("zendesk")[5:6]:
        assert desk(connector).send(item).status_code == 200

    created, handed = TicketEvent.objects.order_by("timestamp")
    assert created.team is None and created.payload["group_id"] == "98738"
    assert handed.team is None and handed.payload["group_id"] == "98739"


def test_jira_sets_no_team_service_or_customer_until_the_mapping_names_the_fields(admin_user,
                                                                                   desk):
    connector = make_connector(admin_user, "jira", mapping={})
    for item in story("jira"):
        assert desk(connector).send(item).status_code == 200

    ticket = Ticket.objects.get()
    assert (ticket.team, ticket.service, ticket.customer) == (None, None, None)
    assert (ticket.status, ticket.priority) == ("Resolved", "P1")
