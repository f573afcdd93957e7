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
