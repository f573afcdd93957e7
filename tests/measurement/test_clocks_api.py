"""The clock API: a ticket's clocks with their timeline, and filtered clock lists."""

import pytest

from accord.measurement.models import Ticket
from accord.measurement.services import ingest_events
from tests.conftest import NOW
from tests.measurement.clock_world import event, opened, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(world):
    now = NOW.replace(day=3, hour=12)
    ingest_events([
        # INC1: P1 opened at 09:00, still open at 12:00: 75 % of 4 hours, at risk.
        opened("2025-03-03T09:00", "INC1"),
        # INC2: P1 resolved in an hour: met.
        opened("2025-03-03T09:00", "INC2"), event(2, "2025-03-03T10:00", "resolved", "INC2"),
        # INC3: P1 opened the day before, handed to the second line: breached.
        opened("2025-03-02T09:00", "INC3"),
        event(2, "2025-03-02T10:00", "updated", "INC3", team="Second Line"),
    ], now=now)
    return {t.ticket_id: t for t in Ticket.objects.all()}


def ids(response):
    assert response.status_code == 200, response.data
    return sorted((item["ticket_ref"], item["kind"]) for item in response.data["items"])


def test_a_tickets_clocks_come_with_their_timeline(tickets, reader, api):
    response = api(reader).get(f"tickets/{tickets['INC3'].pk}/clocks")

    assert response.status_code == 200
    ola, sla = response.data  # ordered by kind
    assert (sla["kind"], sla["state"], ola["kind"], ola["holder"]) == (
        "sla", "breached", "ola", "Second Line")
    assert [s["state"] for s in ola["segments"]] == ["paused", "running"]
    assert sla["explain"][0].startswith("2025-03-02T09:00Z started by event INC3-1")
    assert any("breached" in line for line in sla["explain"])


def test_clock_lists_filter_by_state_breach_risk_and_party(tickets, reader, api):
    client = api(reader)
    assert ids(client.get("clocks?state=met")) == [("INC2", "sla")]
    assert ids(client.get("clocks?breached=true")) == [("INC3", "ola"), ("INC3", "sla")]
    assert ids(client.get("clocks?at_risk=true")) == [("INC1", "sla")]
    assert ids(client.get("clocks?at_risk=true&threshold=80")) == []
    assert ids(client.get("clocks?team=Second Line&kind=ola")) == [("INC3", "ola")]
    assert ids(client.get("clocks?customer=Acme&service=Web Shop&from=2025-03-03T00:00Z")) == [
        ("INC1", "sla"), ("INC2", "sla")]
    sla = tickets["INC1"].clocks.get().agreement_id
    assert client.get(f"clocks?agreement={sla}").data["count"] == 3


def test_bad_filters_are_refused_with_the_field_named(tickets, reader, api):
    response = api(reader).get("clocks?state=late")
    assert response.status_code == 422
    assert "state" in str(response.data)
    assert api(reader).get("clocks?from=2025-03-03T00:00").status_code == 422


def test_clocks_need_auth_and_unknown_tickets_are_404(tickets, reader, api):
    assert api(None).get("clocks").status_code == 401
    assert api(reader).get("tickets/999999/clocks").status_code == 404
