"""Investigating a missed objective: Berliner Bank (Europe/Berlin) buys the Web Shop under an
SLA whose P2 tickets must be resolved in 8 hours, 95 % of them a month. In March 18 clocks met
the target and 2 breached (90 %: the objective was missed), mostly while Vendor Co held the
tickets; April met it. A service owner investigates March: the party is suggested from who
held the breached time, the investigation is confirmed, linked to problem records and
audited. April cannot be investigated, portal users are refused, bad input names its field
and writes nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from accord.accounts.models import AuditEntry
from accord.agreements import services
from accord.catalogue.models import Customer, Service
from accord.measurement.models import ObjectiveInvestigation, ReasonCode, Ticket
from accord.reporting.compliance import compliance_report
from tests.conftest import NOW
from tests.reporting.conftest import JAN_1, add_target, clock, sign

pytestmark = pytest.mark.django_db
HOUR = 3600
# Berlin's March: [2025-02-28T23:00Z, 2025-03-31T22:00Z) (summer time from 30 March).
MARCH = datetime(2025, 3, 3, 8, tzinfo=UTC)
APRIL = datetime(2025, 4, 2, 8, tzinfo=UTC)
AFTER = datetime(2025, 5, 10, tzinfo=UTC)
VENDOR_HELD = {"supplier Vendor Co": 5 * HOUR, "team Second Line": 4 * HOUR}


@pytest.fixture(name="bank")
def bank_fixture(db, slm):
    berlin = Customer.objects.create(name="Berliner Bank", tz="Europe/Berlin")
    shop = Service.objects.create(name="Web Shop", status="live")
    sla = services.create_agreement(
        by=slm, now=NOW, name="Berliner Bank Web Shop", kind="sla",
        structure="customer_based", customer=berlin, services=[shop], effective_from=JAN_1)
    p2 = add_target(sla, slm, priority="P2", duration_seconds=8 * HOUR,
                    objective_percent="95")
    sign(sla.latest_version(), slm)
    day = timedelta(days=1)
    for i in range(18):
        clock(p2, "met", MARCH + i * day, stopped=MARCH + i * day + timedelta(hours=2))
    breaches = [clock(p2, "breached", MARCH + (i + 20) * day, attribution=VENDOR_HELD,
                      elapsed=9 * HOUR) for i in range(2)]
    for i in range(20):
        clock(p2, "met", APRIL + i * day, stopped=APRIL + i * day + timedelta(hours=2))
    # 01:30 on 1 April in Berlin: April's breach, not March's (21 clocks, 95.2 %: met).
    clock(p2, "breached", datetime(2025, 3, 31, 15, 30, tzinfo=UTC),
          breached=datetime(2025, 3, 31, 23, 30, tzinfo=UTC),
          attribution={"team Second Line": 8 * HOUR}, elapsed=8 * HOUR)
    ReasonCode.objects.update_or_create(code="supplier_delay",
                                        defaults={"label": "Waiting on a supplier"})
    sla.refresh_from_db()
    return {"sla": sla, "p2": p2, "breaches": breaches}


def url(bank, period="month=2025-03"):
    return f"objectives/investigation?agreement={bank['sla'].reference}" \
           f"&target={bank['p2'].pk}&{period}"


def test_the_report_says_march_missed_and_april_met(bank):
    # The figures the investigation relies on, from the one compliance function.
    march = compliance_report(bank["sla"], "2025-03", now=AFTER)["targets"][0]
    april = compliance_report(bank["sla"], "2025-04", now=AFTER)["targets"][0]
    assert (march["met"], march["breached"], march["objective_met"]) == (18, 2, False)
    assert (april["met"], april["breached"], april["objective_met"]) == (20, 1, True)


def test_it_suggests_the_supplier_that_held_most_breached_time(bank, owner, api):
    seen = api(owner).get(url(bank))

    assert seen.status_code == 200, seen.data
    assert seen.data["suggested_party"] == "supplier" and seen.data["party"] == ""
    assert seen.data["key"] == {"metric": "resolution", "service": None, "type": None,
                                "priority": "P2"}
    # The period as the report gives it: local midnights in Berlin.
    assert seen.data["period_start"] == "2025-03-01T00:00:00+01:00"
    assert seen.data["period_end"] == "2025-04-01T00:00:00+02:00"
    assert not ObjectiveInvestigation.objects.exists()  # reading writes nothing


def test_it_records_and_confirms_the_investigation(bank, owner, api):
    problem = Ticket.objects.create(source="t", ticket_id="PRB-3", type="problem")

    answer = api(owner).put(url(bank), {
        "reason": "supplier_delay", "root_cause": "Vendor Co's queue was unstaffed at night",
        "party": "supplier", "problems": ["PRB-3"]})

    assert answer.status_code == 200, answer.data
    found = ObjectiveInvestigation.objects.get()
    assert (found.agreement, found.metric, found.priority, found.period_kind) == (
        bank["sla"], "resolution", "P2", "month")
    assert found.period_start == datetime(2025, 2, 28, 23, tzinfo=UTC)
    assert (found.party, found.confirmed_by, found.reason.code) == (
        "supplier", owner, "supplier_delay")
    assert list(found.problems.all()) == [problem]
    assert answer.data["confirmed_by"] == "oscar" and answer.data["problems"] == ["PRB-3"]
    # Audited: who created it, then what changed.
    api(owner).put(url(bank), {"party": "internal"})
    entries = AuditEntry.objects.filter(content_type__model="objectiveinvestigation")
    assert [e.action for e in entries.order_by("pk")] == ["create", "update"]
    assert entries.order_by("pk").last().changes["party"] == ["supplier", "internal"]


def test_a_met_objective_is_refused_and_nothing_is_written(bank, owner, api):
    answer = api(owner).put(url(bank, "month=2025-04"), {"root_cause": "x"})

    assert answer.status_code == 409
    error = answer.data["detail"][0]
    assert error["loc"] == ["query", "month"]
    assert error["msg"] == ("the objective was not missed in 2025-04: compliance was "
                            "95.24 % against 95 %")
    assert api(owner).get(url(bank, "month=2025-04")).status_code == 409
    assert not ObjectiveInvestigation.objects.exists()
    assert not AuditEntry.objects.filter(
        content_type__model="objectiveinvestigation").exists()


def test_a_breach_just_after_midnight_in_berlin_belongs_to_april(bank, owner, api):
    from accord.reporting.periods import Period
    from accord.reviews import objectives

    march = objectives.missed_objective(bank["sla"], bank["p2"].pk,
                                        Period.parse("2025-03"), AFTER)
    # 2025-03-31T23:30Z is 01:30 on 1 April in Berlin: not one of March's breaches.
    assert [c.pk for c in march.clocks()] == [c.pk for c in bank["breaches"]]
    assert march.suggested_party == "supplier"


def test_problem_links_refuse_tickets_that_are_not_problems(bank, owner, api):
    Ticket.objects.create(source="t", ticket_id="PRB-3", type="problem")
    Ticket.objects.create(source="t", ticket_id="INC-9", type="incident")

    answer = api(owner).put(url(bank), {"party": "supplier", "problems": ["PRB-3", "INC-9"]})

    assert answer.status_code == 422
    assert answer.data["detail"][0]["loc"][-2:] == ["problems", 1]
    assert "not a problem record" in answer.data["detail"][0]["msg"]
    assert not ObjectiveInvestigation.objects.exists()


def test_bad_input_names_the_field(bank, owner, api):
    cases = [(url(bank), {"reason": "luck"}, "reason"),
             (url(bank), {"party": "aliens"}, "party"),
             (url(bank, "month=2025-13"), {}, "month"),
             (url(bank, "month=2025-03&quarter=2025-Q1"), {}, "quarter"),
             (f"objectives/investigation?agreement={bank['sla'].reference}&target=999999"
              f"&month=2025-03", {}, "target")]
    for path, body, field in cases:
        answer = api(owner).put(path, body)
        assert answer.status_code == 422, (path, answer.data)
        assert field in str(answer.data["detail"][0]["loc"]), (field, answer.data)
    assert not ObjectiveInvestigation.objects.exists()


def test_portal_users_and_readers_are_refused(bank, owner, reader, customer_user, api):
    bank["sla"].customer.contacts.add(customer_user)  # even their own customer's SLA

    assert api(customer_user).get(url(bank)).status_code == 403
    assert api(customer_user).put(url(bank), {"party": "customer"}).status_code == 403
    assert api(reader).get(url(bank)).status_code == 200  # internal readers may read
    assert api(reader).put(url(bank), {"party": "customer"}).status_code == 403
    assert not ObjectiveInvestigation.objects.exists()


def test_another_customers_agreement_is_not_found_for_them(bank, customer_user, api):
    other = Customer.objects.create(name="Other Co", tz="UTC")
    other.contacts.add(customer_user)
    # Refused before anything is looked up: no hint whether the agreement exists.
    assert api(customer_user).get(url(bank)).status_code == 403


def test_the_default_reason_codes_are_seeded_once(db):
    import importlib

    from django.apps import apps

    seed = importlib.import_module("accord.measurement.migrations.0012_seed_reason_codes")
    ReasonCode.objects.filter(code="other").delete()
    ReasonCode.objects.filter(code="capacity").update(label="Short of people (ours)")

    seed.seed(apps, None)
    seed.seed(apps, None)  # idempotent: get_or_create by code

    codes = dict(ReasonCode.objects.values_list("code", "label"))
    assert set(codes) >= {code for code, _ in seed.DEFAULT_REASON_CODES}
    assert codes["capacity"] == "Short of people (ours)"  # an administrator's label stays
    assert ReasonCode.objects.filter(code="other").count() == 1


def test_missed_objectives_with_the_same_reason_are_plan_candidates(bank, owner, api):
    # February missed too (1 of 2 met): two periods missed for the same reason.
    february = datetime(2025, 2, 10, 8, tzinfo=UTC)
    clock(bank["p2"], "met", february, stopped=february + timedelta(hours=1))
    clock(bank["p2"], "breached", february, attribution=VENDOR_HELD, elapsed=9 * HOUR)
    for period in ("month=2025-02", "month=2025-03"):
        answer = api(owner).put(url(bank, period), {"reason": "supplier_delay"})
        assert answer.status_code == 200, answer.data

    found = api(owner).get("breaches/plan-candidates").data

    assert found == [{"agreement_id": bank["sla"].pk, "reason": "supplier_delay",
                      "breaches": 0, "missed_objectives": 2,
                      "key": {"metric": "resolution", "service": None, "type": None,
                              "priority": "P2"}}]
