"""Outages and maintenance windows: validated, audited, importable from CSV."""

import pytest

from accord.accounts.services import history
from accord.catalogue.models import Component, Service
from accord.measurement.importers.outages import import_file
from accord.measurement.models import MaintenanceWindow, Outage

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(owner):
    return Service.objects.create(name="Web Shop", owner=owner)


@pytest.fixture
def payroll(db):
    return Service.objects.create(name="Payroll")


def outage(subject, **fields):
    return {"service": subject.pk, "start": "2025-03-01T10:00:00Z",
            "end": "2025-03-01T11:30:00Z", **fields}


def test_an_analyst_records_corrects_and_removes_an_outage(analyst, api, shop):
    me = api(analyst)

    created = me.post("outages", outage(shop, impact=0.5, description="checkout slow"))
    assert created.status_code == 201
    assert (created.data["service_name"], created.data["impact"]) == ("Web Shop", 0.5)
    pk = created.data["id"]

    patched = me.patch(f"outages/{pk}", {"end": "2025-03-01T12:00:00+00:00"})
    assert patched.status_code == 200 and patched.data["end"].startswith("2025-03-01T12:00")

    assert me.get(f"outages/{pk}").data["description"] == "checkout slow"
    record = Outage.objects.get(pk=pk)
    actions = [e.action for e in history(record)]
    assert me.delete(f"outages/{pk}").status_code == 204
    assert not Outage.objects.exists()
    assert actions == ["update", "create"]


def test_an_outage_may_still_be_going_on(analyst, api, shop):
    response = api(analyst).post("outages", outage(shop, end=None))

    assert response.status_code == 201 and response.data["end"] is None


@pytest.mark.parametrize("change, field, words", [
    ({"end": "2025-03-01T09:00:00Z"}, "end", "after start"),
    ({"end": "2025-03-01T10:00:00Z"}, "end", "after start"),
    ({"impact": 1.5}, "impact", "from 0 to 1"),
    ({"impact": -0.1}, "impact", "from 0 to 1"),
    ({"start": "2025-03-01T10:00:00"}, "start", "naive"),
    ({"service": 987654}, "service", "no service"),
    ({"service": None}, "service", "exactly one"),
])
def test_a_bad_outage_is_refused_naming_the_field(analyst, api, shop, change, field, words):
    response = api(analyst).post("outages", outage(shop, **change))

    assert response.status_code == 422
    detail = response.data["detail"][0]
    assert detail["loc"][-1] == field and words in detail["msg"]
    assert not Outage.objects.exists()


def test_an_outage_is_of_a_service_or_of_a_component_not_both(analyst, api, shop):
    database = Component.objects.create(name="db-1", kind="database")

    both = api(analyst).post("outages", outage(shop, component=database.pk))
    component_only = api(analyst).post("outages", {**outage(shop, component=database.pk),
                                                   "service": None})

    assert both.status_code == 422
    assert component_only.status_code == 201 and component_only.data["component_name"] == "db-1"


def test_a_reader_sees_outages_but_may_not_record_them(reader, analyst, api, shop):
    api(analyst).post("outages", outage(shop))

    assert api(reader).get("outages").data["count"] == 1
    assert api(reader).post("outages", outage(shop)).status_code == 403
    assert api(analyst, scope="read").post("outages", outage(shop)).status_code == 403


def test_outages_are_listed_by_service_and_period(analyst, api, shop, payroll):
    me = api(analyst)
    me.post("outages", outage(shop))
    me.post("outages", outage(payroll, start="2025-04-01T00:00:00Z", end=None))

    in_march = me.get("outages?since=2025-03-01T00:00:00Z&until=2025-04-01T00:00:00Z")
    ongoing = me.get("outages?since=2025-06-01T00:00:00Z")
    of_shop = me.get(f"outages?service={shop.pk}")

    assert [o["service_name"] for o in in_march.data["items"]] == ["Web Shop"]
    assert [o["service_name"] for o in ongoing.data["items"]] == ["Payroll"]
    assert of_shop.data["count"] == 1


def window(subject, **fields):
    return {"service": subject.pk, "start": "2025-03-02T22:00:00Z",
            "end": "2025-03-03T02:00:00Z", "description": "patching", **fields}


def test_an_owner_plans_maintenance_on_their_own_service_only(owner, api, shop, payroll):
    mine = api(owner).post("maintenance-windows", window(shop))
    theirs = api(owner).post("maintenance-windows", window(payroll))

    assert mine.status_code == 201 and mine.data["service_name"] == "Web Shop"
    assert theirs.status_code == 403
    moved = api(owner).patch(f"maintenance-windows/{mine.data['id']}", {"service": payroll.pk})
    assert moved.status_code == 403
    assert MaintenanceWindow.objects.get().service == shop


def test_a_service_level_manager_plans_any_maintenance_and_analysts_none(slm, analyst, api,
                                                                         payroll):
    assert api(slm).post("maintenance-windows", window(payroll)).status_code == 201
    assert api(analyst).post("maintenance-windows", window(payroll)).status_code == 403


def test_a_maintenance_window_needs_an_end_after_its_start(slm, api, payroll):
    backwards = api(slm).post("maintenance-windows", window(payroll, end="2025-03-02T21:00:00Z"))
    endless = api(slm).post("maintenance-windows", {**window(payroll), "end": None})

    assert backwards.status_code == 422 and backwards.data["detail"][0]["loc"][-1] == "end"
    assert endless.status_code == 422
    assert not MaintenanceWindow.objects.exists()


def test_outages_import_from_csv_once(tmp_path, shop):
    Component.objects.create(name="db-1", kind="database")
    csv = tmp_path / "outages.csv"
    csv.write_text(
        "service,component,start,end,impact,planned,description\n"
        "Web Shop,,2025-03-01T10:00:00Z,2025-03-01T11:00:00Z,1,false,down\n"
        ",db-1,2025-03-02T10:00:00+01:00,,0.5,true,replica lag\n"
        "Payroll,,2025-03-03T10:00:00Z,2025-03-03T11:00:00Z,1,false,unknown service\n"
        "Web Shop,,2025-03-04T10:00:00Z,2025-03-04T09:00:00Z,1,false,backwards\n"
        "Web Shop,,2025-03-05T10:00:00,2025-03-05T11:00:00Z,1,false,naive\n"
    )

    first = import_file(csv, "outage", source="monitoring")
    again = import_file(csv, "outage", source="monitoring")

    assert (first["stored"], first["rejected"]) == (2, 3)
    assert [e["errors"][0]["field"] for e in first["errors"]] == ["service", "end", "start"]
    assert first["errors"][0]["where"] == "line 4"
    assert (again["stored"], again["duplicates"], again["rejected"]) == (0, 2, 3)
    lag = Outage.objects.get(component__name="db-1")
    assert (lag.impact, lag.planned, lag.end, lag.source) == (0.5, True, None, "monitoring")
    assert lag.start.isoformat() == "2025-03-02T09:00:00+00:00"


def test_maintenance_windows_import_from_csv(tmp_path, shop):
    csv = tmp_path / "maintenance.csv"
    csv.write_text("service;start;end;description;external_id\n"
                   "Web Shop;2025-03-02 22:00;2025-03-03 02:00;patching;CHG-1\n")

    summary = import_file(csv, "maintenance", tz_name="Europe/Brussels")

    assert summary["stored"] == 1
    planned = MaintenanceWindow.objects.get()
    assert (planned.external_id, planned.start.isoformat()) == (
        "CHG-1", "2025-03-02T21:00:00+00:00")
