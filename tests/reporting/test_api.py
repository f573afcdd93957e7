"""GET /api/v1/reports/compliance and /reports/kpis: the interface, errors and scoping."""

from datetime import UTC, datetime

import pytest

from accord.accounts import services as accounts
from accord.agreements import services
from accord.catalogue.models import Customer
from accord.measurement.models import Clock
from tests.conftest import NOW

from .conftest import JAN_1, add_target, clock, sign

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_it_answers_the_documented_json(world, reader, api):
    clock(world["p1"], "met", at("2025-02-10T00:00"), stopped=at("2025-02-10T01:00"))
    sla = world["sla"]

    response = api(reader).get(f"reports/compliance?agreement={sla.reference}&month=2025-02")

    assert response.status_code == 200, response.data
    data = response.data
    assert data["agreement"] == sla.reference
    assert data["versions"] == [1]
    assert data["period"]["start"] == "2025-02-01T00:00:00+09:00"
    assert data["period"]["time_zone"] == "Asia/Tokyo"
    (p1, p2) = data["targets"]
    assert p1["target"] == world["p1"].pk
    assert p1["metric"] == "resolution" and p1["priority"] == "P1"
    assert p1["objective_percent"] == 90.0
    assert (p1["met"], p1["compliance_percent"], p1["objective_met"]) == (1, 100.0, True)
    assert p2["compliance_percent"] is None
    for key in ("availability", "kpis", "credits_total", "credits_uncapped", "currency"):
        assert key in data
    assert data["currency"] == "EUR"
    assert data["credits_total"] == "0.00"

    by_id = api(reader).get(f"reports/compliance?agreement={sla.pk}&quarter=2025-Q1")
    assert by_id.status_code == 200
    assert by_id.data["period"]["end"] == "2025-04-01T00:00:00+09:00"
    year = api(reader).get(f"reports/compliance?agreement={sla.reference}&year=2025")
    assert year.data["period"]["start"] == "2025-01-01T00:00:00+09:00"


def test_an_unknown_agreement_is_404(world, reader, api):
    client = api(reader)
    assert client.get("reports/compliance?agreement=SLA-9999&month=2025-03").status_code == 404
    assert client.get("reports/compliance?agreement=9999&month=2025-03").status_code == 404
    # The reference names the kind: the SLA's number as a UC is someone else.
    number = world["sla"].pk
    assert client.get(f"reports/compliance?agreement=UC-{number:04d}&month=2025-03"
                      ).status_code == 404


@pytest.mark.parametrize("query,field", [
    ("month=2025-13", "month"), ("month=March", "month"), ("quarter=2025-Q5", "quarter"),
    ("year=25", "year"), ("month=2025-Q1", "month"), ("", "month"),
    ("month=2025-03&year=2025", "year"),
])
def test_a_bad_period_is_422_naming_the_field(world, reader, api, query, field):
    response = api(reader).get(f"reports/compliance?agreement={world['sla'].pk}&{query}")

    assert response.status_code == 422
    assert response.data["detail"][0]["loc"] == ["query", field]
    assert field in response.data["detail"][0]["msg"]


def test_a_portal_user_sees_only_their_own_agreements(world, customer_user, api, slm):
    world["acme"].contacts.add(customer_user)
    other = Customer.objects.create(name="Globex")
    theirs = services.create_agreement(
        by=slm, now=NOW, name="Globex", kind="sla", structure="customer_based",
        customer=other, services=[world["shop"]], effective_from=JAN_1)
    add_target(theirs, slm, priority="P1", duration_seconds=3600)
    sign(theirs.latest_version(), slm)
    client = api(customer_user)

    mine = client.get(f"reports/compliance?agreement={world['sla'].reference}&month=2025-03")
    assert mine.status_code == 200
    for ref in (theirs.reference, str(theirs.pk), world["uc"].reference):
        assert client.get(f"reports/compliance?agreement={ref}&month=2025-03"
                          ).status_code == 404
    kpis = client.get("reports/kpis?month=2025-03")
    assert kpis.data["agreements"] == [world["sla"].reference]
    assert client.get(f"reports/kpis?month=2025-03&customer={other.pk}").status_code == 404
    assert client.get("reports/kpis?month=2025-03&customer=Globex").status_code == 404


def test_anonymous_callers_are_refused(world, api):
    assert api(None).get(f"reports/compliance?agreement={world['sla'].pk}&month=2025-03"
                         ).status_code == 401


def test_include_children_adds_the_clocks_of_lower_levels(db, slm, reader, api):
    acme = Customer.objects.create(name="Acme")
    corporate = services.create_agreement(by=slm, now=NOW, name="Corporate", kind="sla",
                                          structure="corporate", effective_from=JAN_1)
    add_target(corporate, slm, priority="P1", duration_seconds=3600)
    sign(corporate.latest_version(), slm)
    child = services.create_agreement(by=slm, now=NOW, name="Acme level", kind="sla",
                                      structure="customer_level", customer=acme,
                                      parent=corporate, effective_from=JAN_1)
    own = add_target(child, slm, priority="P2", duration_seconds=7200)
    sign(child.latest_version(), slm)
    inherited = corporate.latest_version().targets.get()
    # The child's clocks: one on its own target, one on the inherited corporate target.
    c = clock(own, "met", at("2025-03-03T00:00"), stopped=at("2025-03-03T01:00"))
    d = clock(inherited, "breached", at("2025-03-04T00:00"))
    Clock.objects.filter(pk=d.pk).update(agreement=child, version=child.latest_version())
    assert c.agreement_id == child.pk
    client = api(reader)

    alone = client.get(f"reports/compliance?agreement={corporate.pk}&month=2025-03").data
    assert [(r["met"], r["breached"]) for r in alone["targets"]] == [(0, 0)]
    corporate_view = client.get(f"reports/compliance?agreement={corporate.pk}&month=2025-03"
                                f"&include_children=true").data
    counted = {(r["agreement"], r["target"]): (r["met"], r["breached"])
               for r in corporate_view["targets"]}
    assert counted[(child.reference, own.pk)] == (1, 0)
    assert counted[(child.reference, inherited.pk)] == (0, 1)
    assert corporate_view["versions"] == [1]


def test_kpis_across_agreements(world, reader, api):
    clock(world["p1"], "breached", at("2025-03-10T00:00"))
    clock(world["p2"], "met", at("2025-03-10T00:00"), stopped=at("2025-03-10T01:00"))
    clock(world["ola_target"], "breached", at("2025-03-10T00:00"))  # an OLA: not counted here

    response = api(reader).get("reports/kpis?month=2025-03&customer=Acme")

    assert response.status_code == 200, response.data
    data = response.data
    assert data["customer"] == "Acme"
    assert data["agreements"] == [world["sla"].reference]
    kpis = data["kpis"]
    assert kpis["breaches_by_priority"] == {"P1": 1}
    assert kpis["objectives_missed"] == 1
    assert kpis["targets_met_percent"] == 50.0
    # Experience per measure (the experience app): no feedback, so no satisfaction value.
    assert set(kpis["experience"]) == {"csat_average", "csat_satisfied_percent",
                                       "ces_average", "nps", "complaints_per_100_tickets",
                                       "reopen_rate_percent"}
    assert kpis["experience"]["csat_average"] is None
    assert api(reader).get("reports/kpis?month=2025-3").status_code == 422


def test_a_month_spanning_two_versions_has_rows_of_both(world, slm, reader, api):
    from accord.agreements import versions

    sla = world["sla"]
    draft = versions.new_draft_version(sla, by=slm, now=NOW,
                                       effective_from=at("2025-03-15T00:00"))
    sign(draft, slm)
    accounts  # noqa: B018 (personas come from fixtures)

    data = api(reader).get(f"reports/compliance?agreement={sla.pk}&month=2025-03").data

    assert data["versions"] == [1, 2]
    assert sorted({r["version"] for r in data["targets"]}) == [1, 2]
    keys = [(r["version"], r["key"]["priority"]) for r in data["targets"]]
    assert keys == [(1, "P1"), (1, "P2"), (2, "P1"), (2, "P2")]
