"""POST /events and the ticket read API, as an integration would use them."""

import pytest

from accord.catalogue.models import Customer, Service, Team
from accord.measurement.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def event(n, **fields):
    return {"event_id": f"e{n}", "ticket_id": "INC1", "kind": "updated",
            "timestamp": f"2025-03-03T09:{n:02d}:00+00:00", **fields}


@pytest.fixture
def shop(db):
    Team.objects.create(name="Service Desk")
    return Service.objects.create(name="Web Shop")


def test_an_analyst_posts_a_batch_and_gets_a_result_per_item(analyst, api, shop):
    response = api(analyst).post("events", [
        event(1, kind="created", service="Web Shop", team="Service Desk", status="New"),
        event(2, kind="status_changed", status="In Progress"),
        event(3, timestamp="2025-03-03T09:03:00"),          # naive: rejected
        event(1, kind="created", service="Web Shop", team="Service Desk", status="New"),
    ])                                                      # the same again: duplicate

    assert response.status_code == 200
    body = response.data
    assert (body["stored"], body["duplicates"], body["rejected"]) == (2, 1, 1)
    assert [r["status"] for r in body["results"]] == ["stored", "stored", "rejected",
                                                     "duplicate"]
    assert body["results"][2]["errors"][0]["field"] == "timestamp"
    assert "naive" in body["results"][2]["errors"][0]["msg"]
    assert body["results"][0]["event_id"] == "e1"
    ticket = Ticket.objects.get()
    assert (ticket.source, ticket.ticket_id, ticket.status) == ("api", "INC1", "In Progress")


def test_a_single_object_is_accepted_too(analyst, api, shop):
    response = api(analyst).post("events", event(1, kind="created"))

    assert response.status_code == 200
    assert response.data["stored"] == 1 and len(response.data["results"]) == 1


def test_more_than_ten_thousand_events_are_refused_whole(analyst, api):
    batch = [event(0, event_id=f"x{i}") for i in range(10_001)]

    response = api(analyst).post("events", batch)

    assert response.status_code == 422
    assert "10000" in response.data["detail"][0]["msg"]
    assert not TicketEvent.objects.exists()


def test_a_body_that_is_not_json_is_a_422(analyst, client):
    from accord.accounts import services

    _, raw = services.create_token(analyst, "t", "write")
    response = client.post("/api/v1/events", data="{not json", content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"][0]["msg"]


def test_a_reader_may_not_post_events(reader, api):
    response = api(reader).post("events", event(1, kind="created"))

    assert response.status_code == 403
    assert not TicketEvent.objects.exists()


def test_a_read_only_token_may_not_post_events(admin_user, api):
    response = api(admin_user, scope="read").post("events", event(1, kind="created"))

    assert response.status_code == 403
    assert "read-only" in response.data["detail"][0]["msg"]
    assert not TicketEvent.objects.exists()


def test_posting_needs_authentication(db, api):
    assert api(None).post("events", event(1, kind="created")).status_code == 401


def test_only_service_level_managers_may_create_missing_catalogue_entries(analyst, slm, api):
    item = event(1, kind="created", service="Brand New Service")

    refused = api(analyst).post("events?create_missing=true", item)
    rejected = api(slm).post("events", item)
    accepted = api(slm).post("events?create_missing=true", item)

    assert refused.status_code == 403
    assert rejected.data["results"][0]["errors"][0]["field"] == "service"
    assert accepted.data["stored"] == 1
    assert Ticket.objects.get().service.name == "Brand New Service"


def test_tickets_are_listed_with_filters_and_shown_with_their_events(analyst, reader, api, shop):
    api(analyst).post("events", [
        event(1, kind="created", service="Web Shop", priority="P2"),
        event(2, kind="resolved", status="Resolved"),
        {**event(1, kind="created", priority="P4"), "ticket_id": "INC2", "event_id": "f1"},
    ])
    me = api(reader)

    listing = me.get("tickets?priority=P2")
    by_stage = me.get("tickets?stage=resolved&service=Web%20Shop")
    everything = me.get("tickets")

    assert listing.status_code == 200
    assert [t["ticket_id"] for t in listing.data["items"]] == ["INC1"]
    assert by_stage.data["count"] == 1
    assert everything.data["count"] == 2
    detail = me.get(f"tickets/{listing.data['items'][0]['id']}")
    assert detail.status_code == 200
    assert detail.data["service"] == "Web Shop"
    assert [e["kind"] for e in detail.data["events"]] == ["created", "resolved"]
    assert me.get("tickets/999999").status_code == 404


def test_a_bad_filter_names_the_field(reader, api):
    response = api(reader).get("tickets?stage=sleeping")

    assert response.status_code == 422
    assert response.data["detail"][0]["loc"] == ["query", "stage"]


def test_a_customer_sees_only_tickets_of_their_own_customer(analyst, customer_user, api):
    acme = Customer.objects.create(name="Acme")
    acme.contacts.add(customer_user)
    Customer.objects.create(name="Globex")
    api(analyst).post("events", [
        {"ticket_id": "A1", "kind": "created", "timestamp": "2025-03-03T09:00:00Z",
         "customer": "Acme"},
        {"ticket_id": "G1", "kind": "created", "timestamp": "2025-03-03T09:00:00Z",
         "customer": "Globex"},
    ])

    listing = api(customer_user).get("tickets")

    assert [t["ticket_id"] for t in listing.data["items"]] == ["A1"]
    other = Ticket.objects.get(ticket_id="G1")
    assert api(customer_user).get(f"tickets/{other.pk}").status_code == 404
