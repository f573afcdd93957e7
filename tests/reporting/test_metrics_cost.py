"""GET /metrics reads a bounded number of queries however many agreements there are: the
targets of every agreement come from one query, each period from one aggregation."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from prometheus_client import generate_latest

from accord.agreements import services
from accord.catalogue.models import Customer
from accord.reporting.metrics import collect
from tests.conftest import NOW

from .conftest import HOUR, add_target, clock, sign

pytestmark = pytest.mark.django_db

AT = datetime(2025, 3, 20, tzinfo=UTC)


def more_slas(world, slm, names):
    made = []
    for i in names:
        customer = Customer.objects.create(name=f"Customer {i}", tz="Asia/Tokyo")
        sla = services.create_agreement(
            by=slm, now=NOW, name=f"SLA {i}", kind="sla", structure="customer_based",
            customer=customer, services=[world["shop"]],
            effective_from=datetime(2025, 1, 1, tzinfo=UTC))
        target = add_target(sla, slm, priority="P1", duration_seconds=4 * HOUR)
        add_target(sla, slm, metric="response", priority="P1", duration_seconds=HOUR)
        sign(sla.latest_version(), slm)
        services.transition(sla, "active", by=slm, now=NOW, reason="in force")
        clock(target, "met", datetime(2025, 3, 10, tzinfo=UTC),
              stopped=datetime(2025, 3, 10, 1, tzinfo=UTC))
        made.append(sla)
    return made


def queries(now) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as captured:
        text = generate_latest(collect(now))
    return len(captured.captured_queries), text


def test_metrics_queries_do_not_grow_with_the_agreements(world, slm):
    more_slas(world, slm, range(2))
    few, text = queries(AT)
    assert b'accord_target_compliance_ratio{agreement="SLA-' in text
    more_slas(world, slm, range(2, 8))
    many, text = queries(AT)
    # Eight SLAs in the same zone and period kinds as two: the same queries.
    assert text.count(b"accord_target_compliance_ratio{") == 8  # one per SLA with data
    assert many == few
