"""Portal users see a ticket's public side only, the same on the page and through the API:
no internal events, no internal payload fields, no hand-offs they are not party to, no other
customer's names (finding 1 of issue 14)."""

import pytest

from accord.accounts import services as accounts
from accord.catalogue.models import Customer, Supplier, Team
from accord.measurement.models import Ticket

pytestmark = pytest.mark.django_db


def ev(n, kind="status_changed", ticket="INC1", **fields):
    return {"event_id": f"{ticket}-{n}", "ticket_id": ticket, "kind": kind,
            "timestamp": f"2025-03-03T09:{n:02d}:00+00:00", **fields}


@pytest.fixture
def world(analyst, customer_user, api):
    acme = Customer.objects.create(name="Acme")
    acme.contacts.add(customer_user)
    Customer.objects.create(name="Globex")
    Team.objects.create(name="Development")
    host = Supplier.objects.create(name="CloudHost Ltd")
    Supplier.objects.create(name="PayFast")
    hugo = accounts.create_user("hugo", role="supplier", password="pw")
    host.contacts.add(hugo)
    stored = api(analyst).post("events", [
        ev(1, "created", customer="Acme", payload={"summary": "Checkout fails",
                                                    "assignee": "bob.internal"}),
        ev(2, "responded", public=True, status="In progress",
           payload={"respondent": "bob.internal"}),
        ev(3, team="Development", status="Assigned", payload={"note": "Handed to Development"}),
        ev(4, "commented", public=False, payload={"note": "Development found the cause"}),
        ev(5, supplier="CloudHost Ltd", status="With supplier",
           payload={"note": "Raised with CloudHost Ltd"}),
        ev(6, supplier="PayFast", status="With supplier", payload={"note": "Raised with PayFast"}),
        ev(7, "resolved", public=False, payload={"note": "internal resolution note"}),
        ev(8, "commented", public=True,
           payload={"note": "Customer replied", "respondent": "someone@globex"}),
        ev(1, "created", ticket="G1", customer="Globex", payload={"summary": "Globex only"}),
    ])
    assert stored.data["stored"] == 9
    return {"ticket": Ticket.objects.get(ticket_id="INC1"), "hugo": hugo,
            "other": Ticket.objects.get(ticket_id="G1")}


def test_staff_see_every_event_and_field(world, analyst, api):
    detail = api(analyst).get(f"tickets/{world['ticket'].pk}").data

    assert len(detail["events"]) == 8
    assert detail["payload"]["assignee"] == "bob.internal"


def test_the_customer_api_shows_only_public_events_without_internal_fields(
        world, customer_user, api):
    detail = api(customer_user).get(f"tickets/{world['ticket'].pk}").data

    events = detail["events"]
    assert [e["event_id"] for e in events] == ["INC1-1", "INC1-2", "INC1-8"]
    text = str(detail)
    for secret in ("bob.internal", "Raised with", "Development", "CloudHost", "PayFast",
                   "internal resolution", "Globex", "someone@globex"):
        assert secret not in text, secret
    assert events[0]["payload"] == {"summary": "Checkout fails"}
    assert detail["customer"] == "Acme"
    assert detail["team"] is None and detail["supplier"] is None


def test_the_customer_list_hides_the_team_the_supplier_and_internal_payload(
        world, customer_user, api):
    [row] = api(customer_user).get("tickets").data["items"]

    assert row["payload"] == {"summary": "Checkout fails", "note": "Customer replied"}
    assert row["team"] is None and row["supplier"] is None


def test_another_customers_ticket_stays_hidden(world, customer_user, api):
    me = api(customer_user)

    assert me.get(f"tickets/{world['other'].pk}").status_code == 404
    assert me.get(f"tickets/{world['other'].pk}/clocks").status_code == 404


def test_a_supplier_sees_the_hand_off_to_them_but_not_to_others(world, api):
    world["ticket"].supplier = Supplier.objects.get(name="CloudHost Ltd")
    world["ticket"].save()
    detail = api(world["hugo"]).get(f"tickets/{world['ticket'].pk}").data

    ids = [e["event_id"] for e in detail["events"]]
    assert "INC1-5" in ids and "INC1-6" not in ids and "INC1-3" not in ids
    assert detail["supplier"] == "CloudHost Ltd"
    assert "PayFast" not in str(detail) and "Development" not in str(detail)
    assert "Acme" not in str(detail) and "Globex" not in str(detail)


def test_the_ticket_page_shows_what_the_api_shows(world, client, customer_user):
    client.force_login(customer_user)
    html = client.get(f"/tickets/{world['ticket'].pk}/").content.decode()

    assert "Checkout fails" in html and "Customer replied" in html
    for secret in ("bob.internal", "Raised with", "Development", "CloudHost", "PayFast",
                   "internal resolution", "Globex"):
        assert secret not in html, secret


def test_clock_holders_other_than_the_users_own_party_are_not_named():
    from accord.measurement.queries import PortalView

    view = PortalView(customers=frozenset({"Acme"}), suppliers=frozenset({"CloudHost Ltd"}))
    segments = [{"state": "running", "holder": "Development"},
                {"state": "running", "holder": "CloudHost Ltd"}, {"state": "paused"}]

    assert [s.get("holder") for s in view.segments(segments)] == ["", "CloudHost Ltd", None]
    assert view.attribution({"Development": 60.0, "CloudHost Ltd": 30.0}) == {
        "CloudHost Ltd": 30.0}
