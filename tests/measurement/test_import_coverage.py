"""A log imported where no target applies: the summary says which tickets no target covers
(by service, customer and priority, with their dates) and what to do."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.agreements import services as agreements
from accord.agreements import versions
from accord.catalogue.models import Customer, Service
from accord.measurement.importers import importer_for, run_import
from accord.measurement.importers.coverage import uncovered
from accord.measurement.models import Ticket
from tests.conftest import NOW
from tests.measurement.clock_world import JAN_1, sign

REAL = Path(__file__).parents[2].parent / "shared/data/itsm"

pytestmark = pytest.mark.django_db

HEADER = "source,event_id,ticket_id,timestamp,kind,priority,service,customer\n"


def write(tmp_path, rows):
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return path


def run(path, *args):
    out = io.StringIO()
    call_command("import", "events", str(path), "--create-missing", *args, stdout=out,
                 stderr=io.StringIO())
    return out.getvalue()


def test_a_real_log_imported_into_nothing_says_why_and_what_to_do():
    out = run(REAL / "bpi2013_incidents.xes.gz", "--limit", "300", "--json")

    u = json.loads(out)["uncovered"]
    assert u["tickets"] == u["of"] == 300
    assert u["sources"] == ["bpi2013-incidents"]
    assert u["first_opened"].startswith("2010-") and u["last_opened"].startswith("2012-")
    assert sum(g["tickets"] for g in u["groups"]) <= 300
    assert {g["priority"] for g in u["groups"]} >= {"P3", "P4"}
    first_day = u["first_opened"][:10]
    assert f"effective from {first_day}" in u["advice"] and "recompute" in u["advice"]


def test_the_text_summary_lists_the_uncovered_scopes(tmp_path):
    path = write(tmp_path, [
        "crm,e1,T1,2024-05-02T09:00:00Z,created,P1,Web Shop,Acme",
        "crm,e2,T2,2024-06-03T09:00:00Z,created,P1,Web Shop,Acme",
        "crm,e3,T3,2024-07-04T09:00:00Z,created,P3,Payroll,Globex",
    ])

    out = run(path)

    assert "No target covers 3 of the 3 tickets of crm, opened 2024-05-02 to 2024-07-04:" in out
    lines = out.splitlines()
    web = next(line for line in lines if line.strip().startswith("Web Shop"))
    assert "Acme" in web and "P1" in web and " 2 " in web and "2024-05-02 to 2024-06-03" in web
    assert any(line.strip().startswith("Payroll") and "Globex" in line for line in lines)
    assert "effective from 2024-05-02 (the first date of the log)" in out


def test_tickets_a_target_covers_are_not_listed(tmp_path, slm):
    shop = Service.objects.create(name="Web Shop")
    acme = Customer.objects.create(name="Acme")
    sla = agreements.create_agreement(by=slm, now=NOW, name="Acme shop", kind="sla",
                                      structure="customer_based", customer=acme,
                                      services=[shop], effective_from=JAN_1.replace(year=2024))
    versions.add_target(sla.latest_version(), by=slm, now=NOW, metric="response",
                        duration_seconds=3600)
    sign(sla.latest_version(), slm)
    path = write(tmp_path, [
        "crm,e1,T1,2024-05-02T09:00:00Z,created,P1,Web Shop,Acme",
        "crm,e2,T2,2024-07-04T09:00:00Z,created,P3,Payroll,Globex",
    ])

    summary = json.loads(run(path, "--json"))

    u = summary["uncovered"]
    assert (u["tickets"], u["of"]) == (1, 2)
    assert u["groups"] == [{"service": "Payroll", "customer": "Globex", "priority": "P3",
                            "tickets": 1, "first_opened": "2024-07-04T09:00:00+00:00",
                            "last_opened": "2024-07-04T09:00:00+00:00"}]


def test_everything_covered_means_no_explanation(tmp_path, slm):
    sla = agreements.create_agreement(by=slm, now=NOW, name="All", kind="sla",
                                      structure="corporate",
                                      effective_from=JAN_1.replace(year=2024))
    versions.add_target(sla.latest_version(), by=slm, now=NOW, metric="response",
                        duration_seconds=3600)
    sign(sla.latest_version(), slm)

    summary = json.loads(run(write(tmp_path, ["crm,e1,T1,2024-05-02T09:00:00Z,created,P1,,"]),
                             "--json"))

    assert summary["uncovered"] is None


def test_it_is_counted_by_the_database_in_a_few_queries(tmp_path):
    rows = [f"crm,e{n},T{n},2024-05-02T09:{n % 60:02d}:00Z,created,P{n % 4 + 1},S{n % 3},C{n % 5}"
            for n in range(300)]
    run_import(importer_for(write(tmp_path, rows)), now=NOW, create_missing=True)
    assert Ticket.objects.count() == 300

    with CaptureQueriesContext(connection) as queries:
        u = uncovered({"crm"}, max_groups=5)

    assert len(queries) <= 4  # totals, groups, the number of groups, all tickets
    assert u["tickets"] == 300 and len(u["groups"]) == 5 and u["more_groups"] == 60 - 5
