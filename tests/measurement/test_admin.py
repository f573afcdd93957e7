"""Back-office edits go through the services: validated and audited."""

import pytest

from accord.accounts.services import history
from accord.catalogue.models import Service
from accord.measurement.models import Outage, Ticket
from accord.measurement.services import ingest_events
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def form(service, **fields):
    return {"service": service.pk, "start_0": "2025-03-01", "start_1": "10:00:00",
            "end_0": "2025-03-01", "end_1": "11:00:00", "impact": "1", "description": "down",
            **fields}


def test_a_service_level_manager_records_an_outage_in_the_admin(client, slm):
    shop = Service.objects.create(name="Web Shop")
    client.force_login(slm)

    response = client.post("/admin/measurement/outage/add/", form(shop))

    assert response.status_code == 302
    outage = Outage.objects.get()
    assert [e.actor for e in history(outage)] == ["sam"]


def test_the_admin_refuses_an_outage_that_ends_before_it_starts(client, slm):
    shop = Service.objects.create(name="Web Shop")
    client.force_login(slm)

    response = client.post("/admin/measurement/outage/add/", form(shop, end_1="09:00:00"))

    assert response.status_code == 200
    assert "must be after start" in response.content.decode()
    assert not Outage.objects.exists()


def test_tickets_are_read_only_in_the_admin(client, slm):
    ingest_events([{"ticket_id": "INC1", "kind": "created", "timestamp": "2025-03-03T09:00:00Z"}],
                  now=NOW)
    ticket = Ticket.objects.get()
    client.force_login(slm)

    page = client.get(f"/admin/measurement/ticket/{ticket.pk}/change/")
    assert page.status_code == 200 and "INC1" in page.content.decode()
    assert client.get("/admin/measurement/ticket/add/").status_code == 403


def test_stored_clocks_are_listed_read_only_in_the_admin(admin_user, client):
    client.force_login(admin_user)
    assert client.get("/admin/measurement/clock/").status_code == 200
    assert client.get("/admin/measurement/clock/add/").status_code == 403
    assert client.get("/admin/measurement/availabilityperiod/").status_code == 200
