"""Scheduled delivery of the monthly service report, in controlled time: on the first business
day of the month, once per agreement and period and contact, through the outbox."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from accord.accounts.services import create_user
from accord.agreements import services as agreements
from accord.catalogue import calendars
from accord.escalation import services as escalation
from accord.escalation.models import Notification
from accord.measurement.services import ingest_events
from accord.reporting import delivery, service_report
from tests.conftest import NOW
from tests.measurement.clock_world import event, opened, world_fixture  # noqa: F401

# 1 June 2025 is a Sunday: with Berlin office hours (Mon-Fri 09:00-17:00, summer time, UTC+2)
# the first business instant of June is Monday 2 June 09:00 local = 07:00 UTC.
FIRST_BUSINESS = datetime(2025, 6, 2, 7, 0, tzinfo=UTC)
JUST_BEFORE = datetime(2025, 6, 2, 6, 59, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_failures_remembered():
    delivery._failed.clear()
    delivery._not_in_force.clear()


@pytest.fixture
def reporting(world, slm):
    berlin = calendars.create_calendar(
        by=None, name="Berlin office", tz="Europe/Berlin",
        hours={d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")})
    sla = world["sla"]
    type(sla).objects.filter(pk=sla.pk).update(calendar=berlin)
    sla.refresh_from_db()
    agreements.transition(sla, "active", by=slm, now=NOW, reason="in effect")
    for name in ("ann", "bob"):
        user = create_user(name, role="customer", email=f"{name}@acme.example")
        world["acme"].contacts.add(user)
    # One P1 ticket in May, resolved after 6 business hours of its 4: a breach.
    ingest_events([opened(at="2025-05-05T09:00"),
                   event(2, "2025-05-05T19:00", "resolved", status="Resolved")],
                  now=datetime(2025, 5, 6, tzinfo=UTC))
    channel = escalation.create_channel(by=slm, name="Reports", kind="email", now=NOW,
                                        config={"addresses": ["slm@provider.example"]})
    return {"sla": sla, "channel": channel}


def report_rows():
    return list(Notification.objects.filter(
        idempotency_key__startswith="service-report:").order_by("idempotency_key"))


def test_it_sends_last_months_report_on_the_first_business_day(reporting):
    sla = reporting["sla"]
    assert delivery.send_due_reports(JUST_BEFORE, limit=10) == 0
    assert report_rows() == []

    assert delivery.send_due_reports(FIRST_BUSINESS, limit=10) == 1

    rows = report_rows()
    assert [(n.recipient, n.idempotency_key) for n in rows] == [
        ("ann@acme.example", f"service-report:{sla.reference}:2025-05:ann@acme.example"),
        ("bob@acme.example", f"service-report:{sla.reference}:2025-05:bob@acme.example"),
    ]
    assert rows[0].subject == (f"{sla.reference} Acme Web Shop: service report May 2025 — "
                               "0 objectives met, 1 missed")
    assert f"{sla.reference} Acme Web Shop" in rows[0].html


def test_it_never_sends_a_period_twice(reporting):
    delivery.send_due_reports(FIRST_BUSINESS, limit=10)

    for later in (FIRST_BUSINESS, datetime(2025, 6, 3, tzinfo=UTC),
                  datetime(2025, 6, 30, 23, tzinfo=UTC)):
        assert delivery.send_due_reports(later, limit=10) == 0
    assert len(report_rows()) == 2
    # July's first business day (Tuesday 1 July) brings June's report.
    assert delivery.send_due_reports(datetime(2025, 7, 1, 7, tzinfo=UTC), limit=10) == 1
    assert len(report_rows()) == 4


def test_a_worker_that_was_down_sends_the_report_when_it_returns(reporting):
    assert delivery.send_due_reports(datetime(2025, 6, 20, 15, tzinfo=UTC), limit=10) == 1
    assert {n.idempotency_key.split(":")[2] for n in report_rows()} == {"2025-05"}


def test_without_a_channel_the_report_stays_due(reporting):
    reporting["channel"].enabled = False
    reporting["channel"].save()
    assert delivery.send_due_reports(FIRST_BUSINESS, limit=10) == 0

    reporting["channel"].enabled = True
    reporting["channel"].save()
    assert delivery.send_due_reports(datetime(2025, 6, 4, tzinfo=UTC), limit=10) == 1


def test_without_contacts_it_goes_to_the_channels_addresses(reporting, world):
    world["acme"].contacts.clear()
    delivery.send_due_reports(FIRST_BUSINESS, limit=10)

    assert [(n.recipient, n.idempotency_key.rsplit(":", 1)[1]) for n in report_rows()] == [
        ("", "channel")]


def test_the_outbox_delivers_it_by_email(reporting):
    delivery.send_due_reports(FIRST_BUSINESS, limit=10)

    escalation.deliver_due(FIRST_BUSINESS, 10, "test")

    assert sorted(m.to[0] for m in mail.outbox) == ["ann@acme.example", "bob@acme.example"]
    html = mail.outbox[0].alternatives[0][0]
    assert "Monthly service report · May 2025" in html


def test_one_report_that_fails_to_build_does_not_stop_the_others(reporting, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(service_report, "compliance", broken)
    assert delivery.send_due_reports(FIRST_BUSINESS, limit=10) == 0
    # It waits before the next try, then is sent once it can be built.
    monkeypatch.undo()
    assert delivery.send_due_reports(FIRST_BUSINESS, limit=10) == 0
    assert delivery.send_due_reports(FIRST_BUSINESS + delivery.RETRY_AFTER, limit=10) == 1


def test_an_agreement_not_in_force_in_the_month_gets_no_report(reporting, world):
    # The OLA and UC are signed but never activated; the SLA only is reported.
    delivery.send_due_reports(FIRST_BUSINESS, limit=10)
    assert {n.payload["agreement"] for n in report_rows()} == {reporting["sla"].reference}


def test_the_worker_runs_the_delivery_step(reporting):
    from accord.escalation import worker

    assert delivery.deliver_reports_step in worker.FIRING_STEPS
    assert delivery.deliver_reports_step(FIRST_BUSINESS, "w1") is True
    assert delivery.deliver_reports_step(FIRST_BUSINESS, "w1") is False  # nothing left
