"""The clocks test world: Acme buys the Web Shop under an SLA (P1 resolved in 4 hours,
P3 in 3 days, both paused while "Waiting for customer"), the Second Line team works
under an OLA (8 hours) and Vendor Co under a UC (24 hours). Calendars are 24x7 unless a
test says otherwise, so expected figures are plain arithmetic."""

from datetime import UTC, datetime

import pytest

from accord.agreements import services, versions
from accord.catalogue.models import Customer, Service, Supplier, Team
from tests.conftest import NOW, sign_on_behalf

JAN_1 = datetime(2025, 1, 1, tzinfo=UTC)
HOUR = 3600
WAITING = {"field": "status", "in": ["Waiting for customer"]}


def sign(version, slm):
    versions.approve(version, party="provider", by=slm, now=NOW)
    sign_on_behalf(version, slm, NOW)
    version.refresh_from_db()
    return version


def target(agreement, slm, *, metric="resolution", priority="", seconds=4 * HOUR, **extra):
    return versions.add_target(agreement.latest_version(), by=slm, now=NOW, metric=metric,
                               priority=priority, duration_seconds=seconds, **extra)


@pytest.fixture(name="world")
def world_fixture(db, slm):
    acme = Customer.objects.create(name="Acme")
    shop = Service.objects.create(name="Web Shop", status="live")
    desk = Team.objects.create(name="Service Desk")
    second = Team.objects.create(name="Second Line")
    vendor = Supplier.objects.create(name="Vendor Co")
    sla = services.create_agreement(
        by=slm, now=NOW, name="Acme Web Shop", kind="sla", structure="customer_based",
        customer=acme, services=[shop], effective_from=JAN_1)
    p1 = target(sla, slm, priority="P1", seconds=4 * HOUR, pause_condition=WAITING)
    p3 = target(sla, slm, priority="P3", seconds=72 * HOUR, pause_condition=WAITING)
    sign(sla.latest_version(), slm)
    ola = services.create_agreement(by=slm, now=NOW, name="Second line OLA", kind="ola",
                                    team=second, effective_from=JAN_1)
    ola_target = target(ola, slm, seconds=8 * HOUR)
    sign(ola.latest_version(), slm)
    uc = services.create_agreement(by=slm, now=NOW, name="Vendor UC", kind="uc",
                                   supplier=vendor, effective_from=JAN_1)
    uc_target = target(uc, slm, seconds=24 * HOUR)
    sign(uc.latest_version(), slm)
    return {"acme": acme, "shop": shop, "desk": desk, "second": second, "vendor": vendor,
            "sla": sla, "p1": p1, "p3": p3, "ola": ola, "ola_target": ola_target, "uc": uc,
            "uc_target": uc_target}


def event(n, at, kind, ticket="INC1", **fields):
    """A normalized event of source "itsm" at ``at`` ("2025-03-03T09:00")."""
    return {"source": "itsm", "event_id": f"{ticket}-{n}", "ticket_id": ticket,
            "timestamp": f"{at}:00+00:00", "kind": kind, **fields}


def opened(at="2025-03-03T09:00", ticket="INC1", priority="P1", n=1, **fields):
    return event(n, at, "created", ticket, status="New", priority=priority,
                 service="Web Shop", customer="Acme", team="Service Desk", **fields)
