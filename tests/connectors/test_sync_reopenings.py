"""Reopenings that a desk's webhook cannot show (its body is the ticket after the change,
with no previous state) come from pull sync, which reads the history's old values: a
closed Zammad ticket opened again is a ``reopened`` event, added beside the save the
webhook also delivered, so neither way round conflicts."""

import copy

import pytest

from accord.connectors.models import Connector
from accord.connectors.sync.runner import sync_connector
from accord.measurement.models import Clock, TicketEvent
from tests.conftest import NOW
from tests.connectors.conftest import make_connector, story
from tests.connectors.desk_server import DeskServer
from tests.measurement.clock_world import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def change(n, at, attribute, old, new):
    """A Zammad ticket history entry (REST API: GET /api/v1/ticket_history/{id})."""
    return {"id": n, "o_id": 31, "object": "Ticket", "type": "updated", "attribute": attribute,
            "value_from": old, "value_to": new, "created_at": f"2025-03-03T{at}:00.000Z"}


HISTORY = [{"id": 1, "o_id": 31, "object": "Ticket", "type": "created",
            "created_at": "2025-03-03T09:00:00.000Z"},
           {"id": 2, "o_id": 104, "object": "Ticket::Article", "type": "created",
            "created_at": "2025-03-03T09:30:00.000Z"},
           change(3, "10:00", "state", "new", "pending reminder"),
           change(4, "12:00", "state", "pending reminder", "open"),
           change(5, "12:30", "priority", "2 normal", "3 high"),
           change(6, "13:00", "group", "Service Desk", "Second Line"),
           change(7, "14:00", "state", "open", "closed"),
           change(8, "15:00", "state", "closed", "open")]


def reopened_call():
    """The trigger webhook of the 15:00 save: the ticket open again, nothing about before."""
    item = copy.deepcopy(story("zammad")[-1])
    item["headers"]["X-Zammad-Delivery"] = "d-8"
    item["payload"]["ticket"].update({"state": "open",
                                      "updated_at": "2025-03-03T15:00:00.000Z"})
    return item


@pytest.fixture
def zammad(admin_user, world):
    return make_connector(admin_user, "zammad", credentials={"token": "zt-1"})


def pull(connector):
    ticket = reopened_call()["payload"]["ticket"]
    article = story("zammad")[1]["payload"]["article"]
    with DeskServer(page_by="page") as server:
        Connector.objects.filter(pk=connector.pk).update(base_url=server.url)
        connector.refresh_from_db()
        server.answer("/api/v1/tickets/search", 1, (200, {}, [ticket]))
        server.answer("/api/v1/ticket_history/31", "", (200, {}, {"history": HISTORY}))
        server.answer("/api/v1/ticket_articles/by_ticket/31", "", (200, {}, [article]))
        return sync_connector(connector, now=NOW)


def test_a_closed_zammad_ticket_opened_again_is_a_reopening_when_pulled(zammad, desk):
    for item in [*story("zammad"), reopened_call()]:
        assert desk(zammad).send(item).status_code == 200
    webhooks = sorted(TicketEvent.objects.values_list("event_id", "kind", "status"))
    # The webhook alone: the 15:00 save is an update (no previous state in its body).
    assert ("31:2025-03-03T15:00:00.000Z", "updated", "open") in webhooks

    report = pull(zammad)

    # Everything the webhooks gave came again as duplicates; the reopening is new.
    assert (report.duplicates, report.stored, report.rejected) == (len(webhooks), 1, 0)
    reopening = TicketEvent.objects.get(kind="reopened")
    assert (reopening.event_id, reopening.status, reopening.timestamp.isoformat()) == (
        "31:2025-03-03T15:00:00.000Z:reopened", "open", "2025-03-03T15:00:00+00:00")
    assert reopening.payload == {"paused": False}
    # The Second Line's OLA clock was met at the closing; the reopening starts a second
    # cycle (8 hours from 15:00, breached by NOW, days later).
    assert sorted(Clock.objects.values_list("cycle", "state")) == [(1, "met"), (2, "breached")]


def test_pulled_first_the_reopening_is_there_and_the_webhooks_are_duplicates(zammad, desk):
    pull(zammad)
    kinds = [e.kind for e in TicketEvent.objects.order_by("timestamp", "id")]
    assert kinds[-3:] == ["closed", "updated", "reopened"]
    clocks = sorted(Clock.objects.values_list("target_id", "cycle", "state"))
    assert [cycle for _, cycle, _ in clocks] == [1, 2]

    answers = [desk(zammad).send(item).data for item in [*story("zammad"), reopened_call()]]

    assert sum(a["stored"] for a in answers) == 0
    assert sorted(Clock.objects.values_list("target_id", "cycle", "state")) == clocks
