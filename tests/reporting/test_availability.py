"""Availability rows against the target's calendar, over reporting-zone months."""

from datetime import UTC, datetime

import pytest

from accord.agreements import services
from accord.catalogue.models import Calendar, Service, Supplier
from accord.measurement.models import AvailabilityPeriod
from accord.measurement.services import create_outage
from accord.reporting.compliance import compliance_report
from tests.conftest import NOW

from .conftest import AFTER, JAN_1, add_target, sign

pytestmark = pytest.mark.django_db
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


@pytest.fixture
def hosting(db, slm):
    """CloudHost promises 99.9 % on a 24x7 calendar for Hosting, a service whose own calendar
    is office hours (09-17 on weekdays, UTC)."""
    office = Calendar.objects.create(name="Office", tz="UTC",
                                     hours={d: [["09:00", "17:00"]] for d in WEEKDAYS})
    always = Calendar.objects.create(name="24x7", tz="UTC", always_open=True)
    service = Service.objects.create(name="Hosting", status="live", calendar=office)
    uc = services.create_agreement(by=slm, now=NOW, name="CloudHost UC", kind="uc",
                                   supplier=Supplier.objects.create(name="CloudHost"),
                                   services=[service], effective_from=JAN_1)
    target = add_target(uc, slm, metric="availability", percentage="99.9", calendar=always,
                        service=service)
    sign(uc.latest_version(), slm)
    uc.refresh_from_db()
    return uc, target, service


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_saturday_outage_of_a_24x7_uc_target_counts_downtime(hosting):
    uc, target, service = hosting
    # Saturday 8 March 2025, 10:00-12:00: outside the service's office hours, inside 24x7.
    create_outage({"service": service, "start": at("2025-03-08T10:00"),
                   "end": at("2025-03-08T12:00")})

    stored = AvailabilityPeriod.objects.get(target=target, period="2025-03")
    assert stored.downtime_seconds == 2 * 3600
    assert stored.agreed_seconds == 31 * 24 * 3600
    assert stored.met is False  # 2 h of 744 h is 99.73 %

    (row,) = compliance_report(uc, "2025-03", now=AFTER)["availability"]
    assert row["target"] == target.pk
    assert row["service"] == "Hosting"
    assert row["downtime_minutes"] == 120.0
    assert row["outages"] == 1
    assert row["target_percent"] == 99.9
    assert row["measured_percent"] == pytest.approx(100 * (1 - 2 / 744), abs=1e-4)
    assert row["met"] is False


def test_no_agreed_time_is_null_not_100(db, slm):
    closed = Calendar.objects.create(name="Closed", tz="UTC", hours={})
    service = Service.objects.create(name="Archive", status="live")
    uc = services.create_agreement(by=slm, now=NOW, name="Archive UC", kind="uc",
                                   supplier=Supplier.objects.create(name="Tape Co"),
                                   services=[service], effective_from=JAN_1)
    add_target(uc, slm, metric="availability", percentage="99", calendar=closed)
    sign(uc.latest_version(), slm)
    uc.refresh_from_db()

    (row,) = compliance_report(uc, "2025-03", now=AFTER)["availability"]
    assert row["measured_percent"] is None
    assert row["met"] is None


def test_stored_periods_are_months_of_the_reporting_zone(hosting, reader, api):
    uc, target, service = hosting
    services.update_agreement(uc, by=None, now=NOW, reporting_time_zone="America/New_York")
    # 1 March 03:00 UTC is still February in New York.
    create_outage({"service": service, "start": at("2025-03-01T03:00"),
                   "end": at("2025-03-01T04:00")})

    feb = AvailabilityPeriod.objects.get(target=target, period="2025-02")
    assert feb.period_start == at("2025-02-01T05:00")  # midnight EST
    assert feb.downtime_seconds == 3600
    assert not AvailabilityPeriod.objects.filter(target=target, period="2025-03").exists()

    listed = api(reader).get(f"availability?service={service.pk}&period=2025-02").data
    assert [p["downtime_seconds"] for p in listed["items"]] == [3600]
    assert listed["items"][0]["period"] == "2025-02"


def test_a_new_reporting_zone_replaces_the_months_stored_before(hosting):
    uc, target, service = hosting
    create_outage({"service": service, "start": at("2025-03-10T03:00"),
                   "end": at("2025-03-10T04:00")})
    services.update_agreement(uc, by=None, now=NOW, reporting_time_zone="Asia/Tokyo")
    create_outage({"service": service, "start": at("2025-03-11T03:00"),
                   "end": at("2025-03-11T04:00")})

    (march,) = AvailabilityPeriod.objects.filter(target=target, period="2025-03")
    assert march.period_start == at("2025-02-28T15:00")
    assert march.downtime_seconds == 2 * 3600


@pytest.fixture
def credited(db, slm):
    """A retail SLA (charge 2,000.00 EUR a month, credits capped at 20 % of it) on 24x7:
    the web shop at 99.5 % a month, 10 % of the charge back per month it misses; payments at
    99 % a quarter, a flat 150.00 per missed quarter."""
    from accord.catalogue.models import Customer

    always = Calendar.objects.create(name="24x7", tz="UTC", always_open=True)
    shop = Service.objects.create(name="Web Shop", status="live")
    payments = Service.objects.create(name="Payments", status="live")
    sla = services.create_agreement(
        by=slm, now=NOW, name="Retail SLA", kind="sla", structure="customer_based",
        customer=Customer.objects.create(name="Retail UK", tz="UTC"),
        services=[shop, payments], effective_from=JAN_1, monthly_charge="2000.00",
        currency="EUR", credit_cap_percent="20")
    monthly = add_target(sla, slm, metric="availability", percentage="99.5", calendar=always,
                         service=shop, credit_percent="10")
    quarterly = add_target(sla, slm, metric="availability", percentage="99", calendar=always,
                           service=payments, period="quarter", credit_amount="150.00",
                           credit_currency="EUR")
    sign(sla.latest_version(), slm)
    sla.refresh_from_db()
    return sla, monthly, quarterly, (shop, payments)


def down(services_, start, end):
    for service in services_:
        create_outage({"service": service, "start": at(start), "end": at(end)})


def test_a_missed_availability_objective_earns_its_credit(credited):
    sla, monthly, quarterly, both = credited
    # 5 hours down on 12 March: 739 of 744 hours is 99.33 % (< 99.5 %); January and
    # February had no outage.
    down(both, "2025-03-12T08:00", "2025-03-12T13:00")

    march = compliance_report(sla, "2025-03", now=AFTER)
    rows = {r["target"]: r for r in march["availability"]}
    assert rows[monthly.pk]["met"] is False
    assert rows[monthly.pk]["credit_due"] == "200.00"  # 10 % of 2,000.00
    assert rows[monthly.pk]["objectives_missed"] == 1
    # The quarterly target cannot be judged from one month: no credit yet, and it says why.
    assert rows[quarterly.pk]["credit_due"] is None
    assert "quarter" in rows[quarterly.pk]["credit_note"]
    assert (march["credits_total"], march["credits_uncapped"]) == ("200.00", "200.00")

    february = compliance_report(sla, "2025-02", now=AFTER)
    assert [r["credit_due"] for r in february["availability"]
            if r["target"] == monthly.pk] == ["0.00"]
    assert february["credits_total"] == "0.00"

    # The quarter: March missed the web shop's monthly objective (200.00); payments' 5 h
    # of 2,160 h is 99.77 %, which keeps its 99 % quarterly objective (0.00).
    quarter = compliance_report(sla, "2025-Q1", now=AFTER)
    rows = {r["target"]: r for r in quarter["availability"]}
    assert (rows[monthly.pk]["objectives_missed"], rows[monthly.pk]["credit_due"]) == (
        1, "200.00")
    assert (rows[quarterly.pk]["objectives_missed"], rows[quarterly.pk]["credit_due"]) == (
        0, "0.00")
    assert quarter["credits_total"] == "200.00"


def test_availability_credits_are_capped_with_the_others(credited):
    sla, monthly, quarterly, both = credited
    # 30 hours down in March: 714 of 744 h (95.97 %) misses the monthly objective, and
    # payments' 30 h of 2,160 h (98.61 %) the quarterly one.
    down(both, "2025-03-03T00:00", "2025-03-04T06:00")
    # And 4 hours on 10 January: 740 of 744 h (99.46 %) misses January's too.
    down(both, "2025-01-10T00:00", "2025-01-10T04:00")

    quarter = compliance_report(sla, "2025-Q1", now=AFTER)
    rows = {r["target"]: r for r in quarter["availability"]}
    assert (rows[monthly.pk]["objectives_missed"], rows[monthly.pk]["credit_due"]) == (
        2, "400.00")
    assert rows[quarterly.pk]["credit_due"] == "150.00"
    # The cap is 20 % of 2,000.00 for each of the three months (1,200.00): not reached.
    assert (quarter["credits_total"], quarter["credits_uncapped"]) == ("550.00", "550.00")
    march = compliance_report(sla, "2025-03", now=AFTER)
    assert (march["credits_total"], march["credits_uncapped"]) == ("200.00", "200.00")


def test_an_availability_credit_per_breach_is_not_earned_and_says_why(db, slm):
    from accord.catalogue.models import Customer

    always = Calendar.objects.create(name="24x7", tz="UTC", always_open=True)
    shop = Service.objects.create(name="Web Shop", status="live")
    sla = services.create_agreement(
        by=slm, now=NOW, name="Retail SLA", kind="sla", structure="customer_based",
        customer=Customer.objects.create(name="Retail UK", tz="UTC"), services=[shop],
        effective_from=JAN_1, monthly_charge="2000.00", currency="EUR")
    add_target(sla, slm, metric="availability", percentage="99.5", calendar=always,
               service=shop, credit_percent="10", credit_basis="per_breach")
    sign(sla.latest_version(), slm)
    sla.refresh_from_db()
    down([shop], "2025-03-12T08:00", "2025-03-12T13:00")

    march = compliance_report(sla, "2025-03", now=AFTER)
    (row,) = march["availability"]
    assert row["met"] is False and row["credit_due"] is None
    assert "per missed objective" in row["credit_note"]
    assert march["credits_total"] is None  # no target of the report can earn a credit
