"""One poisoned item (NUL, lone surrogate, NaN, an infinity) is rejected naming the field,
and the good items beside it are stored: on SQLite and on PostgreSQL alike."""

import json

import pytest

from accord.catalogue.models import Service
from accord.measurement.models import Ticket, TicketEvent
from accord.measurement.services import ingest_events
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def event(n, **fields):
    return {"source": "crm", "event_id": f"e{n}", "ticket_id": f"INC{n}", "kind": "created",
            "timestamp": "2025-03-03T09:00:00Z", **fields}


@pytest.fixture
def shop(db):
    return Service.objects.create(name="Web Shop")


POISONS = [
    ({"status": "Ne\x00w"}, "status", "NUL"),
    ({"ticket_id": "INC\x00"}, "ticket_id", "NUL"),
    ({"event_id": "e\udc80"}, "event_id", "surrogate"),
    ({"team": "Desk \ud800"}, "team", "surrogate"),
    ({"payload": {"note": "a\x00b"}}, "payload.note", "NUL"),
    ({"payload": {"note": "half \ud83d pair"}}, "payload.note", "surrogate"),
    ({"payload": {"deep": {"list": [1, "ok", "\udfff"]}}}, "payload.deep.list.2", "surrogate"),
    ({"payload": {"score": float("nan")}}, "payload.score", "NaN"),
    ({"payload": {"score": float("inf")}}, "payload.score", "infinities"),
    ({"payload": {"score": -float("inf")}}, "payload.score", "infinities"),
    ({"payload": {"ke\x00y": 1}}, "payload.ke\x00y", "NUL"),
    ({"timestamp": "9999-12-31T23:00:00-05:00"}, "timestamp", "out of range"),
]


@pytest.mark.parametrize("poison, field, words", POISONS)
def test_it_rejects_the_poisoned_item_and_stores_the_rest(shop, poison, field, words):
    items = [event(n) for n in range(1, 100)]
    items.insert(42, event(100, **poison))

    result = ingest_events(items, now=NOW)

    bad = result.results[42]
    assert bad.status == "rejected"
    assert [e["field"] for e in bad.errors] == [field]
    assert words in bad.errors[0]["msg"]
    assert (result.stored, result.rejected) == (99, 1)
    assert TicketEvent.objects.count() == 99 and Ticket.objects.count() == 99
    # The answer is valid JSON whatever was sent.
    assert json.loads(result.as_json())["rejected"] == 1


def test_the_api_rejects_poison_parsed_from_the_body_per_item(analyst, api, shop):
    # The body as a client would send it: JSON escapes, NaN and 1e400 in the text itself.
    good = json.dumps([event(n) for n in range(1, 4)])[1:-1]
    body = ("[" + good + ',{"source":"crm","event_id":"x1","ticket_id":"T","kind":"created",'
            '"timestamp":"2025-03-03T09:00:00Z","payload":{"note":"\\u0000"}}'
            ',{"source":"crm","event_id":"x2","ticket_id":"T","kind":"created",'
            '"timestamp":"2025-03-03T09:00:00Z","payload":{"note":"\\ud800"}}'
            ',{"source":"crm","event_id":"x3","ticket_id":"T","kind":"created",'
            '"timestamp":"2025-03-03T09:00:00Z","payload":{"n":NaN}}'
            ',{"source":"crm","event_id":"x4","ticket_id":"T","kind":"created",'
            '"timestamp":"2025-03-03T09:00:00Z","payload":{"n":1e400}}'
            ',{"source":"crm","event_id":"x5","ticket_id":"T","kind":"created",'
            '"timestamp":"2025-03-03T09:00:00Z","status":"\\u0000"}'
            ',{"source":"crm","event_id":"x6","ticket_id":"T","kind":"created",'
            '"timestamp":"2025-03-03T09:00:00Z","priority":Infinity}]')
    client = api(analyst)

    response = client.client.post("/api/v1/events", data=body, content_type="application/json",
                                   **client.headers)

    assert response.status_code == 200
    data = response.json()
    assert (data["stored"], data["rejected"]) == (3, 6)
    fields = [r["errors"][0]["field"] for r in data["results"][3:]]
    assert fields == ["payload.note", "payload.note", "payload.n", "payload.n", "status",
                      "priority"]
    assert TicketEvent.objects.count() == 3


def run_import(path, *args):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("import", "events", str(path), "--create-missing", "--json", *args,
                 stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_an_import_rejects_poisoned_rows_by_line_and_stores_the_rest(db, tmp_path):
    path = tmp_path / "poisoned.csv"
    path.write_text(
        "source,event_id,ticket_id,timestamp,kind,status,payload\n"
        "crm,e1,INC1,2025-03-03T09:00:00Z,created,New,\n"
        "crm,e2,INC2,2025-03-03T09:00:00Z,created,Ne\x00w,\n"
        'crm,e3,INC3,2025-03-03T09:00:00Z,created,New,"{""n"": NaN}"\n'
        'crm,e4,INC4,2025-03-03T09:00:00Z,created,New,"{""n"": 1e400}"\n'
        'crm,e5,INC5,2025-03-03T09:00:00Z,created,New,"{""note"": ""\\ud800""}"\n'
        "crm,e6,INC6,9999-12-31T23:00:00-05:00,created,New,\n"
        "crm,e7,INC7,2025-03-03T09:00:00Z,created,New,\n", encoding="utf-8")

    summary = run_import(path)

    assert (summary["stored"], summary["rejected"]) == (2, 5)
    where = {e["where"]: e["errors"][0]["field"] for e in summary["errors"]}
    assert where == {"line 3": "status", "line 4": "payload.n", "line 5": "payload.n",
                     "line 6": "payload.note", "line 7": "timestamp"}
    assert sorted(Ticket.objects.values_list("ticket_id", flat=True)) == ["INC1", "INC7"]


def test_an_xes_event_beyond_the_calendar_is_rejected_by_its_place(db, tmp_path):
    from pathlib import Path

    sample = (Path(__file__).parent / "data" / "bpi_incidents_sample.xes").read_text()
    path = tmp_path / "far.xes"
    path.write_text(sample.replace("2012-04-02T09:00:00+02:00", "9999-12-31T23:00:00-05:00", 1))

    summary = run_import(path)

    assert summary["rejected"] == 1 and summary["stored"] == 9
    assert summary["errors"][0]["where"] == "trace 1-100, event 1"
    assert summary["errors"][0]["errors"][0]["field"] == "timestamp"


@pytest.mark.parametrize("body, loc", [
    ("{not json", ["body"]),
    ("[" * 100_000 + "]" * 100_000, ["body"]),
    (b"[\xff\xfe]", ["body"]),
])
def test_an_unreadable_events_body_is_one_422_naming_the_body(analyst, api, body, loc):
    client = api(analyst)

    response = client.client.post("/api/v1/events", data=body,
                                   content_type="application/json", **client.headers)

    assert response.status_code == 422
    (detail,) = response.json()["detail"]
    assert detail["loc"] == loc and detail["msg"]
    assert not TicketEvent.objects.exists()


@pytest.mark.parametrize("body, loc", [
    ("{not json", ["body"]),
    ("{" * 100_000, ["body"]),
    ('{"name": "Shop", "description": NaN}', ["body"]),
    ('{"name": "Shop", "description": "a\\u0000b"}', ["body", "description"]),
    ('{"name": "Shop\\ud800"}', ["body", "name"]),
    ('{"name": "Shop", "tags": [1, 1e400]}', ["body", "tags", 1]),
])
def test_any_endpoint_answers_an_unreadable_body_with_one_422_naming_it(slm, api, body, loc):
    from accord.catalogue.models import Service

    client = api(slm)

    response = client.client.post("/api/v1/services", data=body,
                                  content_type="application/json", **client.headers)

    assert response.status_code == 422
    (detail,) = response.json()["detail"]
    assert detail["loc"] == loc and detail["msg"]
    assert not Service.objects.exists()


def test_a_development_500_does_not_echo_the_request_data(analyst, api, shop, settings,
                                                          monkeypatch):
    from accord.measurement import services

    def broken(items, **kwargs):
        raise RuntimeError(f"cannot store {items[0]['payload']['card']}")

    monkeypatch.setattr(services, "ingest_events", broken)
    settings.DEBUG = True
    client = api(analyst)
    client.client.raise_request_exception = False
    secret = "".join(reversed("9876-drac-terces"))  # not in this file's source (shown)

    for accept in ("text/html", "application/json"):
        response = client.client.post(
            "/api/v1/events", data=json.dumps(event(1, payload={"card": secret})),
            content_type="application/json", HTTP_ACCEPT=accept, **client.headers)

        assert response.status_code == 500
        page = response.content.decode()
        assert "RuntimeError" in page  # still a useful report for the developer
        assert secret not in page


def test_a_development_500_of_a_form_post_does_not_echo_its_fields(client, settings,
                                                                   monkeypatch):
    from django.contrib.auth import views

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.LoginView, "post", broken)
    settings.DEBUG = True
    client.raise_request_exception = False

    name, password = "".join(reversed("yrollam")), "".join(reversed("terces-2retnuh"))
    cookie = "".join(reversed("eikooc-noisses"))
    client.cookies["sessionid"] = cookie
    response = client.post("/login/", {"username": name, "password": password})

    assert response.status_code == 500
    page = response.content.decode()
    assert "RuntimeError" in page and name not in page and password not in page
    assert cookie not in page


def test_rejected_rows_are_named_by_the_line_they_start_on(db, tmp_path):
    path = tmp_path / "multiline.csv"
    path.write_text(
        "source,event_id,ticket_id,timestamp,kind,status,note\n"
        'crm,e1,INC1,2025-03-03T09:00:00Z,created,New,"a note\nover three\nlines"\n'
        "\n"
        "crm,e2,INC2,2025-03-03T09:00:00Z,created,Ne\x00w,\n", encoding="utf-8")

    summary = run_import(path)

    assert summary["stored"] == 1
    assert [e["where"] for e in summary["errors"]] == ["line 6"]
