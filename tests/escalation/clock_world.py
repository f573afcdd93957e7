"""A small world for clock firing: Acme's Web Shop SLA (P1 resolved in 4 hours, P3 in 3 days,
paused while "Waiting for customer", 24x7 so the figures are plain arithmetic) and one
escalation policy on it: L1 at 50 %, L2 at 75 %, L3 at 90 %, L4 at the breach (100 %),
each mailing the duty address."""

from datetime import UTC, datetime

import pytest

from accord.agreements import services as agreements
from accord.agreements import versions
from accord.catalogue.models import Customer, Service
from accord.escalation import services
from accord.measurement.models import Clock
from accord.measurement.services import ingest_events
from tests.conftest import NOW, sign_on_behalf

JAN_1 = datetime(2025, 1, 1, tzinfo=UTC)
HOUR = 3600
WAITING = {"field": "status", "in": ["Waiting for customer"]}


def at(text: str) -> datetime:
    """``at("03 09:00")`` is 2025-03-03 09:00 UTC."""
    day, time = text.split()
    return datetime.fromisoformat(f"2025-03-{day}T{time}:00+00:00")


def build_world(slm, steps=None, channel=None):
    acme = Customer.objects.create(name="Acme")
    shop = Service.objects.create(name="Web Shop", status="live", owner=slm)
    sla = agreements.create_agreement(
        by=slm, now=NOW, name="Acme Web Shop", kind="sla", structure="customer_based",
        customer=acme, services=[shop], effective_from=JAN_1)
    targets = {
        priority: versions.add_target(sla.latest_version(), by=slm, now=NOW, metric="resolution",
                                      priority=priority, duration_seconds=hours * HOUR,
                                      pause_condition=WAITING)
        for priority, hours in (("P1", 4), ("P3", 72))
    }
    version = sla.latest_version()
    versions.approve(version, party="provider", by=slm, now=NOW)
    sign_on_behalf(version, slm, NOW)
    mail = channel or services.create_channel(by=slm, name="Duty mail", kind="email", now=NOW,
                                              config={"addresses": ["duty@example.com"]})
    if steps is None:
        steps = [{"threshold": p, "level": level} for p, level in
                 ((50, "L1"), (75, "L2"), (90, "L3"), (100, "L4"))]
    policy = services.create_policy(
        by=slm, name="Web Shop escalation", now=NOW, agreement_id=sla.pk,
        steps=[{**s, "channel_ids": [mail.pk]} for s in steps])
    return {"sla": sla, "policy": policy, "mail": mail, **targets}


@pytest.fixture
def world(db, slm):
    return build_world(slm)


def event(n, when, kind, ticket="INC1", **fields):
    return {"source": "itsm", "event_id": f"{ticket}-{n}", "ticket_id": ticket,
            "timestamp": at(when).isoformat(), "kind": kind, **fields}


def opened(when="03 09:00", ticket="INC1", priority="P1"):
    return event(1, when, "created", ticket, status="New", priority=priority,
                 service="Web Shop", customer="Acme")


def send(*events, now):
    """Ingest events as the API would, at ``now``."""
    result = ingest_events(list(events), now=now)
    assert result.rejected == 0, result.as_dict()


def clock_of(ticket="INC1", priority="P1") -> Clock:
    return Clock.objects.get(ticket__ticket_id=ticket, target__priority=priority)
