"""The reporting world: Acme (in Tokyo, UTC+9, so its months start at 15:00 UTC the day
before) buys the Web Shop under SLA "Acme Web Shop": P1 resolved in 4 hours with an objective
of 90 % a month and a credit of 100.00 EUR per missed objective; P2 resolved in 8 hours,
objective 80 %, credit 5 % of the 1,000.00 EUR monthly charge per breach. Credits are capped
at 15 % of the monthly charge. The Second Line team works under an OLA, Vendor Co under a UC.

Clocks are stored rows written here directly, so each test states exactly the figures it
hand-computes from (``clock(...)``)."""

from datetime import UTC, datetime, timedelta

import pytest

from accord.agreements import services, versions
from accord.catalogue.models import Customer, Service, Supplier, Team
from accord.measurement.models import Clock, Ticket
from tests.conftest import NOW, sign_on_behalf

JAN_1 = datetime(2025, 1, 1, tzinfo=UTC)
HOUR = 3600
# Acme's March (Asia/Tokyo): [2025-02-28T15:00Z, 2025-03-31T15:00Z)
MARCH_START = datetime(2025, 2, 28, 15, tzinfo=UTC)
MARCH_END = datetime(2025, 3, 31, 15, tzinfo=UTC)
AFTER = datetime(2025, 4, 10, tzinfo=UTC)  # "now" for a finished March


def sign(version, slm):
    versions.approve(version, party="provider", by=slm, now=NOW)
    sign_on_behalf(version, slm, NOW)
    version.refresh_from_db()
    return version


def add_target(agreement, slm, **values):
    values.setdefault("metric", "resolution")
    return versions.add_target(agreement.latest_version(), by=slm, now=NOW, **values)


@pytest.fixture(name="world")
def world_fixture(db, slm):
    acme = Customer.objects.create(name="Acme", tz="Asia/Tokyo")
    shop = Service.objects.create(name="Web Shop", status="live")
    Team.objects.create(name="Service Desk")
    second = Team.objects.create(name="Second Line")
    vendor = Supplier.objects.create(name="Vendor Co")
    sla = services.create_agreement(
        by=slm, now=NOW, name="Acme Web Shop", kind="sla", structure="customer_based",
        customer=acme, services=[shop], effective_from=JAN_1, monthly_charge="1000.00",
        currency="EUR", credit_cap_percent="15")
    p1 = add_target(sla, slm, priority="P1", duration_seconds=4 * HOUR,
                    objective_percent="90", credit_amount="100.00", credit_currency="EUR")
    p2 = add_target(sla, slm, priority="P2", duration_seconds=8 * HOUR,
                    objective_percent="80", credit_percent="5", credit_basis="per_breach")
    sign(sla.latest_version(), slm)
    ola = services.create_agreement(by=slm, now=NOW, name="Second line OLA", kind="ola",
                                    team=second, effective_from=JAN_1)
    ola_target = add_target(ola, slm, duration_seconds=2 * HOUR)
    sign(ola.latest_version(), slm)
    uc = services.create_agreement(by=slm, now=NOW, name="Vendor UC", kind="uc",
                                   supplier=vendor, effective_from=JAN_1)
    uc_target = add_target(uc, slm, duration_seconds=2 * HOUR)
    sign(uc.latest_version(), slm)
    for a in (sla, ola, uc):
        a.refresh_from_db()
    return {"acme": acme, "shop": shop, "second": second, "vendor": vendor, "sla": sla,
            "p1": p1, "p2": p2, "ola": ola, "ola_target": ola_target, "uc": uc,
            "uc_target": uc_target}


_tickets = {"n": 0}


def clock(target, state, started, *, stopped=None, breached=None, due=None, computed=None,
          elapsed=None, attribution=None, priority=None, cycle=1, ticket=None) -> Clock:
    """A stored clock of ``target`` (its agreement's version 1)."""
    version = target.version
    agreement = version.agreement
    if ticket is None:
        _tickets["n"] += 1
        ticket = Ticket.objects.create(source="t", ticket_id=f"T{_tickets['n']}",
                                       priority=priority or target.priority or "P3",
                                       opened_at=started)
    seconds = float(target.duration_seconds)
    due = due or started + timedelta(seconds=seconds)
    if state == "breached" and breached is None:
        breached = due
    return Clock.objects.create(
        ticket=ticket, target=target, agreement=agreement, version=version,
        kind=agreement.kind, metric=target.metric,
        holder={"ola": "Second Line", "uc": "Vendor Co"}.get(agreement.kind, ""),
        cycle=cycle, state=state, started_at=started, stopped_at=stopped,
        elapsed_seconds=elapsed if elapsed is not None else (
            ((stopped or computed or started) - started).total_seconds()),
        paused_seconds=0.0, target_seconds=seconds, due_at=due, breached_at=breached,
        percent=0.0, attribution=attribution or {}, computed_at=computed or stopped or started)
