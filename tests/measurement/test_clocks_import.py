"""BPI Challenge 2013 incidents imported end to end: clocks appear with sensible states."""

from pathlib import Path

import pytest

from accord.agreements import services as agreements
from accord.agreements import versions
from accord.measurement.importers import importer_for, run_import
from accord.measurement.models import Clock, Ticket
from tests.conftest import NOW
from tests.measurement.clock_world import JAN_1, sign

REAL = Path(__file__).parents[2].parent / "shared/data/itsm"
DAY = 24 * 3600

pytestmark = pytest.mark.django_db


def test_bpi_2013_incidents_get_clocks(slm):
    # A corporate SLA for every customer and service, in force since 2010 (the log is 2010-12).
    sla = agreements.create_agreement(by=slm, now=NOW, name="Volvo IT", kind="sla",
                                      structure="corporate", effective_from=JAN_1.replace(
                                          year=2010))
    versions.add_target(sla.latest_version(), by=slm, now=NOW, metric="resolution",
                        duration_seconds=5 * DAY,
                        pause_condition={"field": "payload.paused", "equals": True})
    versions.add_target(sla.latest_version(), by=slm, now=NOW, metric="response",
                        duration_seconds=DAY)
    sign(sla.latest_version(), slm)

    summary = run_import(importer_for(REAL / "bpi2013_incidents.xes.gz", None), now=NOW,
                         create_missing=True, limit=300)

    assert summary.rejected == 0
    tickets = Ticket.objects.count()
    assert Clock.objects.filter(metric="response").count() == tickets
    assert Clock.objects.filter(metric="resolution").count() >= tickets
    states = set(Clock.objects.values_list("state", flat=True))
    assert {"met", "breached"} <= states
    # A closed ticket has no running clock; paused time appears where users were waited for.
    assert not Clock.objects.filter(ticket__stage="closed", state="running").exists()
    assert Clock.objects.filter(metric="resolution", paused_seconds__gt=0).exists()
