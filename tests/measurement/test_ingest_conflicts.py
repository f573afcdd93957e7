"""An event id sent again: the same content is a duplicate, other content a conflict, and
either way the stored event stays as it was."""

import pytest

from accord.catalogue.models import Service
from accord.measurement.models import Ticket, TicketEvent
from accord.measurement.services import ingest_events
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def created(**fields):
    return {"source": "crm", "event_id": "e1", "ticket_id": "INC1", "kind": "created",
            "timestamp": "2025-03-03T09:00:00+01:00", "status": "New", "priority": "P2",
            "service": "Web Shop", "payload": {"note": "printer on fire", "floor": 2},
            **fields}


@pytest.fixture
def shop(db):
    return Service.objects.create(name="Web Shop")


def stored_row():
    return TicketEvent.objects.values("status", "priority", "payload", "timestamp").get()


def test_it_reports_a_duplicate_when_everything_is_the_same(shop):
    ingest_events([created()], now=NOW)
    before = stored_row()

    # Same instant in another offset, payload keys in another order: the same content.
    again = ingest_events([created(timestamp="2025-03-03T08:00:00Z",
                                   payload={"floor": 2, "note": "printer on fire"})], now=NOW)

    assert [r.status for r in again.results] == ["duplicate"]
    assert (again.duplicates, again.conflicts) == (1, 0)
    assert stored_row() == before


@pytest.mark.parametrize("change, field", [
    ({"status": "Closed"}, "status"),
    ({"priority": None}, "priority"),
    ({"timestamp": "2025-03-03T09:00:01+01:00"}, "timestamp"),
    ({"kind": "updated"}, "kind"),
    ({"ticket_id": "INC2"}, "ticket_id"),
    ({"public": True}, "public"),
    ({"payload": {"note": "printer on fire", "floor": 3}}, "payload"),
    ({"payload": {"note": "printer on fire", "floor": 2.0}}, "payload"),
])
def test_it_reports_a_conflict_naming_the_field_and_keeps_the_stored_event(shop, change, field):
    ingest_events([created()], now=NOW)
    before = stored_row()

    again = ingest_events([created(**change)], now=NOW)

    (item,) = again.results
    assert item.status == "conflict" and item.event_id == "e1"
    assert [e["field"] for e in item.errors] == [field]
    assert "kept unchanged" in item.errors[0]["msg"]
    assert (again.stored, again.duplicates, again.conflicts) == (0, 0, 1)
    assert stored_row() == before
    assert list(Ticket.objects.values_list("ticket_id", flat=True)) == ["INC1"]


def test_a_batch_mixing_new_duplicate_and_conflicting_items_stores_only_the_new(shop):
    ingest_events([created()], now=NOW)

    result = ingest_events([created(event_id="e2", kind="updated"), created(),
                            created(status="Reused id")], now=NOW)

    assert [r.status for r in result.results] == ["stored", "duplicate", "conflict"]
    assert TicketEvent.objects.count() == 2
    assert Ticket.objects.get().status == "New"


def test_the_api_answer_counts_conflicts(analyst, api, shop):
    client = api(analyst)
    client.post("events", created())

    response = client.post("events", [created(), created(status="Reused")])

    assert response.status_code == 200
    body = response.data
    assert (body["stored"], body["duplicates"], body["conflicts"], body["rejected"]) == (
        0, 1, 1, 0)
    assert body["results"][1]["status"] == "conflict"
    assert body["results"][1]["errors"][0]["field"] == "status"
    assert TicketEvent.objects.get().status == "New"


def test_the_openapi_documents_the_conflict_status(analyst, api):
    spec = api(analyst).get("openapi.json").data
    item = spec["components"]["schemas"]["IngestItemOut"]["properties"]["status"]
    assert "conflict" in item["enum"]
    assert "conflicts" in spec["components"]["schemas"]["IngestOut"]["required"]


def test_an_import_summary_counts_conflicts_and_lists_their_ids(shop, tmp_path):
    import io
    import json

    from django.core.management import call_command

    header = "source,event_id,ticket_id,timestamp,kind,status\n"
    first = tmp_path / "first.csv"
    first.write_text(header + "crm,e1,INC1,2025-03-03T09:00:00Z,created,New\n"
                     "crm,e2,INC1,2025-03-03T09:10:00Z,updated,Open\n")
    second = tmp_path / "second.csv"
    second.write_text(header + "crm,e1,INC1,2025-03-03T09:00:00Z,created,New\n"
                      "crm,e2,INC1,2025-03-03T09:10:00Z,updated,Reused\n"
                      "crm,e3,INC1,2025-03-03T09:20:00Z,updated,Open\n")
    call_command("import", "events", str(first), stdout=io.StringIO())

    out = io.StringIO()
    call_command("import", "events", str(second), "--json", stdout=out)
    text = io.StringIO()
    call_command("import", "events", str(second), stdout=text)

    summary = json.loads(out.getvalue())
    assert (summary["stored"], summary["duplicates"], summary["conflicts"]) == (1, 1, 1)
    assert summary["conflict_ids"] == ["e2"]
    assert "conflicts            1" in text.getvalue()
    assert "First conflicting event ids: e2" in text.getvalue()
    assert TicketEvent.objects.get(event_id="e2").status == "Open"
