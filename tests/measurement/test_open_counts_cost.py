"""The dashboard's open-clock counts bring running clocks up to now with one engine calendar
per calendar, and read the same number of queries however many agreements and customers
their clocks belong to (clocks on the built-in 24x7 calendar store no calendar row)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.agreements import services
from accord.catalogue.models import Customer
from accord.measurement.clock_queries import open_counts
from accord.measurement.models import Clock, Ticket
from tests.conftest import NOW
from tests.reporting.conftest import HOUR, add_target, clock, sign
from tests.reporting.conftest import world_fixture as world  # noqa: F401

pytestmark = pytest.mark.django_db

AT = datetime(2025, 3, 20, 12, tzinfo=UTC)


def running_clocks_of_new_customers(world, slm, names):  # noqa: F811
    for i in names:
        customer = Customer.objects.create(name=f"Customer {i}", tz="Europe/London")
        sla = services.create_agreement(
            by=slm, now=NOW, name=f"SLA {i}", kind="sla", structure="customer_based",
            customer=customer, services=[world["shop"]],
            effective_from=datetime(2025, 1, 1, tzinfo=UTC))
        target = add_target(sla, slm, priority="P1", duration_seconds=4 * HOUR)
        sign(sla.latest_version(), slm)
        services.transition(sla, "active", by=slm, now=NOW, reason="in force")
        ticket = Ticket.objects.create(source="t", ticket_id=f"C{i}", priority="P1",
                                       customer=customer, service=world["shop"],
                                       opened_at=AT - timedelta(hours=3))
        # Stored an hour in (25 %); three hours in at AT: 75 %, at risk from 75 %.
        clock(target, "running", AT - timedelta(hours=3), computed=AT - timedelta(hours=2),
              elapsed=HOUR, ticket=ticket)


def counted(threshold=75.0):
    clocks = Clock.objects.all()
    with CaptureQueriesContext(connection) as captured:
        counts = open_counts(clocks, AT, threshold=threshold)
    return counts, len(captured.captured_queries)


def test_open_counts_read_as_many_queries_for_eight_customers_as_for_two(world, slm):  # noqa: F811
    running_clocks_of_new_customers(world, slm, range(2))
    few_counts, few = counted()
    assert few_counts == {"open": 2, "breached": 0, "at_risk": 2}  # brought up to AT
    running_clocks_of_new_customers(world, slm, range(2, 8))
    many_counts, many = counted()
    assert many_counts == {"open": 8, "breached": 0, "at_risk": 8}
    assert many == few
