"""Availability periods: stored per month, recomputed when outages change."""

from datetime import UTC, datetime

import pytest

from accord.agreements import services as agreements
from accord.agreements import versions
from accord.catalogue import dependencies
from accord.catalogue.models import Component, Customer, Service
from accord.measurement.models import AvailabilityPeriod
from accord.measurement.services import create_outage, delete_outage, update_outage
from tests.conftest import NOW
from tests.measurement.clock_world import JAN_1, sign

pytestmark = pytest.mark.django_db

MARCH = datetime(2025, 3, 1, tzinfo=UTC)
MARCH_SECONDS = 31 * 24 * 3600


@pytest.fixture
def shop(db, slm):
    """The Web Shop (24x7) promised 99.9 % a month to Acme; it runs on a database."""
    shop = Service.objects.create(name="Web Shop", status="live")
    database = Component.objects.create(name="Shop DB")
    dependencies.add_dependency(shop, depends_on=database, by=slm)
    sla = agreements.create_agreement(
        by=slm, now=NOW, name="Acme Web Shop", kind="sla", structure="customer_based",
        customer=Customer.objects.create(name="Acme"), services=[shop], effective_from=JAN_1)
    versions.add_target(sla.latest_version(), by=slm, now=NOW, metric="availability",
                        percentage="99.9")
    sign(sla.latest_version(), slm)
    return shop, database


def march(service):
    return AvailabilityPeriod.objects.get(service=service, period_start=MARCH)


def test_an_outage_stores_the_months_availability(shop):
    service, _ = shop
    create_outage({"service": service, "start": datetime(2025, 3, 3, 9, tzinfo=UTC),
                   "end": datetime(2025, 3, 3, 10, tzinfo=UTC)})

    period = march(service)
    # One hour down in a 31-day month: 99.866 %, below 99.9 %.
    assert period.downtime_seconds == 3600
    assert period.agreed_seconds == MARCH_SECONDS
    assert period.availability == pytest.approx(100 * (1 - 3600 / MARCH_SECONDS))
    assert period.met is False


def test_a_component_outage_reaches_the_service_through_the_graph(shop):
    service, database = shop
    create_outage({"component": database, "start": datetime(2025, 3, 3, 9, tzinfo=UTC),
                   "end": datetime(2025, 3, 3, 9, 30, tzinfo=UTC)})

    assert march(service).downtime_seconds == 1800
    assert march(service).met is True  # 30 minutes is within 0.1 % of March


def test_the_period_is_recomputed_when_an_outage_changes(shop):
    service, _ = shop
    outage = create_outage({"service": service, "start": datetime(2025, 3, 3, 9, tzinfo=UTC),
                            "end": datetime(2025, 3, 3, 10, tzinfo=UTC)})
    update_outage(outage, {"end": datetime(2025, 3, 3, 9, 10, tzinfo=UTC)})
    assert march(service).downtime_seconds == 600

    delete_outage(outage)
    assert march(service).downtime_seconds == 0
    assert march(service).availability == 100.0


def test_the_availability_api_lists_periods(shop, reader, api):
    service, _ = shop
    create_outage({"service": service, "start": datetime(2025, 3, 3, 9, tzinfo=UTC),
                   "end": datetime(2025, 3, 3, 10, tzinfo=UTC)})

    response = api(reader).get(f"availability?service={service.pk}&period=2025-03")
    assert response.status_code == 200
    assert response.data["count"] == 1
    assert response.data["items"][0]["met"] is False
    assert api(reader).get("availability?period=March").status_code == 422
