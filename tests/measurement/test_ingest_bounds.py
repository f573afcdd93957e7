"""Payloads and free texts are bounded by settings; a larger item is rejected naming the
field, and the items beside it are stored."""

import pytest

from accord.catalogue.models import Service
from accord.lib.env import ConfigError, envint
from accord.measurement.models import Outage, TicketEvent
from accord.measurement.services import ingest_events
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def event(n, **fields):
    return {"source": "crm", "event_id": f"e{n}", "ticket_id": f"INC{n}", "kind": "created",
            "timestamp": "2025-03-03T09:00:00Z", **fields}


def test_a_ten_megabyte_payload_is_rejected_and_the_rest_stored(db):
    items = [event(1), event(2, payload={"blob": ["x" * 1000] * 10_000}), event(3)]

    result = ingest_events(items, now=NOW)

    assert [r.status for r in result.results] == ["stored", "rejected", "stored"]
    (error,) = result.results[1].errors
    assert error["field"] == "payload" and "65,536 allowed" in error["msg"]
    assert TicketEvent.objects.count() == 2


def test_a_long_text_inside_a_payload_is_rejected_naming_its_key(db):
    result = ingest_events([event(1, payload={"comment": "y" * 16_385})], now=NOW)

    (error,) = result.results[0].errors
    assert error["field"] == "payload.comment" and "16,384 allowed" in error["msg"]
    assert not TicketEvent.objects.exists()


def test_the_bounds_come_from_the_settings(db, settings):
    settings.ACCORD_MAX_PAYLOAD_BYTES = 1000
    settings.ACCORD_MAX_TEXT_LENGTH = 100

    result = ingest_events([event(1, payload={"a": "z" * 90}),
                            event(2, payload={"a": "z" * 101}),
                            event(3, payload={"a": ["z" * 90] * 12})], now=NOW)

    assert [r.status for r in result.results] == ["stored", "rejected", "rejected"]
    assert [r.errors[0]["field"] for r in result.results[1:]] == ["payload.a", "payload"]


def test_the_api_rejects_the_large_item_and_stores_the_others(analyst, api):
    response = api(analyst).post("events", [event(1), event(2, payload={"b": "q" * 70_000})])

    assert response.status_code == 200
    assert (response.data["stored"], response.data["rejected"]) == (1, 1)
    assert response.data["results"][1]["errors"][0]["field"] == "payload.b"


def test_an_outage_description_is_bounded_too(slm, api, settings):
    settings.ACCORD_MAX_TEXT_LENGTH = 100
    shop = Service.objects.create(name="Web Shop")

    response = api(slm).post("outages", {"service": shop.pk, "start": "2025-03-03T09:00:00Z",
                                         "description": "d" * 101})

    assert response.status_code == 422
    assert response.data["detail"][0]["loc"] == ["body", "description"]
    assert not Outage.objects.exists()


def test_a_bound_below_its_minimum_fails_at_start_up(monkeypatch):
    monkeypatch.setenv("ACCORD_MAX_PAYLOAD_BYTES", "0")
    with pytest.raises(ConfigError, match="ACCORD_MAX_PAYLOAD_BYTES='0' is too small"):
        envint("ACCORD_MAX_PAYLOAD_BYTES", 65536, minimum=256)
