"""OLA/UC fit: a 4 h UC under a 2 h SLA target is flagged (the demo's case); a 4 h OLA on
24x7 under an 8 h SLA target on office hours fits (two calendars); signing a misfitting SLA
needs an acknowledgement; the measured share comes from the clocks' attribution."""

from datetime import UTC, datetime, timedelta

import pytest

from accord.agreements import services, versions
from accord.catalogue.models import Calendar, Customer, Service, Supplier, Team
from accord.lib.errors import DomainError
from accord.planning.fit import fit, fortnight
from accord.planning.models import FitAcknowledgement
from tests.conftest import NOW, sign_on_behalf
from tests.reporting.conftest import HOUR, clock, sign

pytestmark = pytest.mark.django_db
JAN_1 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture(name="chain")
def chain_fixture(slm):
    always = Calendar.objects.create(name="24x7", tz="UTC", always_open=True)
    office = Calendar.objects.create(name="Office", tz="Europe/London", hours={
        d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")})
    acme = Customer.objects.create(name="Acme", tz="Europe/London")
    shop = Service.objects.create(name="Shop", status="live")
    sla = services.create_agreement(by=slm, now=NOW, name="Acme Shop", kind="sla",
                                    structure="customer_based", customer=acme,
                                    services=[shop], effective_from=JAN_1)
    v1 = sla.latest_version()
    p1 = versions.add_target(v1, by=slm, now=NOW, metric="resolution", priority="P1",
                             duration_seconds=2 * HOUR, calendar=always)
    p2 = versions.add_target(v1, by=slm, now=NOW, metric="resolution", priority="P2",
                             duration_seconds=8 * HOUR, calendar=office)
    sign(v1, slm)
    host = Supplier.objects.create(name="CloudHost")
    uc = services.create_agreement(by=slm, now=NOW, name="CloudHost UC", kind="uc",
                                   supplier=host, effective_from=JAN_1, underpins=[sla])
    uc_p1 = versions.add_target(uc.latest_version(), by=slm, now=NOW, metric="resolution",
                                priority="P1", duration_seconds=4 * HOUR, calendar=always)
    sign(uc.latest_version(), slm)
    ops = Team.objects.create(name="Ops")
    ola = services.create_agreement(by=slm, now=NOW, name="Ops OLA", kind="ola", team=ops,
                                    effective_from=JAN_1, underpins=[sla])
    versions.add_target(ola.latest_version(), by=slm, now=NOW, metric="resolution",
                        priority="P2", duration_seconds=4 * HOUR, calendar=always)
    sign(ola.latest_version(), slm)
    for a in (sla, uc, ola):
        a.refresh_from_db()
    return {"sla": sla, "uc": uc, "ola": ola, "p1": p1, "p2": p2, "uc_p1": uc_p1}


def test_the_reference_fortnight_is_the_next_full_one():
    starts = fortnight(datetime(2025, 3, 5, 12, tzinfo=UTC), "Europe/London")  # a Wednesday
    assert len(starts) == 336
    assert starts[0] == datetime(2025, 3, 10, tzinfo=UTC)  # Monday 00:00 GMT
    assert starts[-1] == datetime(2025, 3, 23, 23, tzinfo=UTC)


def test_a_4h_uc_under_a_2h_sla_is_flagged_and_a_fitting_ola_passes(chain):
    found = fit(chain["sla"], NOW)

    assert found["fits"] is False
    by_agreement = {p["agreement"]: p for p in found["pairs"]}
    uc = by_agreement[chain["uc"].reference]
    assert uc["sla_target"] == chain["p1"].pk and uc["target"] == chain["uc_p1"].pk
    assert uc["design"] == {"starts": 336, "late_starts": 336, "late_share_percent": 100.0,
                            "worst_hours": 2.0, "fits": False}
    ola = by_agreement[chain["ola"].reference]
    assert ola["sla_target"] == chain["p2"].pk  # P2 only: its scope does not cover P1
    assert ola["design"]["fits"] is True and ola["design"]["late_starts"] == 0
    assert len(found["pairs"]) == 2
    assert chain["uc"].reference in found["misfits"][0]


def test_the_measured_share_comes_from_attribution(chain):
    start = NOW - timedelta(days=3)
    clock(chain["p1"], "met", start, stopped=start + timedelta(hours=2),
          attribution={"supplier CloudHost": 1.5 * HOUR, "team Ops": 0.5 * HOUR})
    clock(chain["p1"], "met", start, stopped=start + timedelta(hours=2),
          attribution={"supplier CloudHost": 0.5 * HOUR})
    uc = next(p for p in fit(chain["sla"], NOW)["pairs"]
              if p["agreement"] == chain["uc"].reference)
    assert uc["measured"]["holder"] == "supplier CloudHost"
    assert uc["measured"]["consumed_percent"] == 50.0  # 2 h of 4 h
    assert uc["measured"]["allowed_percent"] == 200.0


def test_signing_a_misfitting_sla_needs_an_acknowledgement(chain, slm, api):
    sla = chain["sla"]
    draft = versions.new_draft_version(sla, by=slm, now=NOW,
                                       effective_from=datetime(2025, 6, 1, tzinfo=UTC))
    versions.approve(draft, party="provider", by=slm, now=NOW)
    with pytest.raises(DomainError) as refused:
        sign_on_behalf(draft, slm, NOW)
    assert refused.value.field == "fit_acknowledgement"
    draft.refresh_from_db()
    assert draft.frozen_at is None

    response = api(slm).post(f"agreements/{sla.pk}/versions/{draft.number}/fit/acknowledge",
                             {"reason": ""})
    assert response.status_code == 422
    response = api(slm).post(f"agreements/{sla.pk}/versions/{draft.number}/fit/acknowledge",
                             {"reason": "CloudHost P1 contract renegotiation due in June"})
    assert response.status_code == 201, response.data
    ack = FitAcknowledgement.objects.get()
    assert ack.by == slm and "renegotiation" in ack.reason and ack.misfits
    sign_on_behalf(draft, slm, NOW)
    draft.refresh_from_db()
    assert draft.frozen_at is not None


def test_the_fit_api_and_a_fitting_sla_signs_silently(chain, slm, reader, api):
    data = api(reader).get(f"agreements/{chain['sla'].pk}/fit").data
    assert data["fits"] is False and len(data["pairs"]) == 2
    chain["uc"].underpins.clear()
    draft = versions.new_draft_version(chain["sla"], by=slm, now=NOW,
                                       effective_from=datetime(2025, 6, 1, tzinfo=UTC))
    sign(draft, slm)
    assert draft.frozen_at is not None
    assert api(reader).get(f"agreements/{chain['sla'].pk}/fit").data["fits"] is True


def test_the_demo_shows_the_cloudhost_uc_under_the_retail_sla(db):
    from accord.agreements.models import Agreement
    from accord.web import demo

    demo.load(NOW)
    retail = Agreement.objects.get(name="Retail UK SLA")
    found = fit(retail, NOW)
    uc = [p for p in found["pairs"] if p["kind"] == "uc"]
    assert found["fits"] is False
    assert uc and uc[0]["duration_seconds"] == 4 * HOUR
    assert uc[0]["sla_duration_seconds"] == 2 * HOUR and uc[0]["design"]["worst_hours"] >= 2


def test_the_fit_page_from_the_agreement_page_records_an_acknowledgement(chain, slm, client):
    sla = chain["sla"]
    draft = versions.new_draft_version(sla, by=slm, now=NOW)
    client.force_login(slm)
    detail = client.get(f"/agreements/{sla.pk}/?version={draft.number}").content.decode()
    assert f"/agreements/{sla.pk}/fit?version={draft.number}" in detail
    page = client.get(f"/agreements/{sla.pk}/fit?version={draft.number}").content.decode()
    assert "does not fit" in page and "100.0 % of starts" in page
    assert "Record acknowledgement" in page
    client.post(f"/agreements/{sla.pk}/fit", {"version": draft.number, "reason": "Known gap"})
    assert FitAcknowledgement.objects.get().reason == "Known gap"
