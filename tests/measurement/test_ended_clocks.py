"""Clocks under an ended agreement: closed at the instant the agreement ended, as ``ended``
(issue 15, trap 4). Succeeded versions do not end anything."""

from datetime import UTC, datetime

import pytest

from accord.agreements import services, versions
from accord.catalogue.models import Customer, Service
from accord.measurement.choices import ClockState
from accord.measurement.clock_queries import explain
from accord.measurement.models import Clock, Ticket
from accord.measurement.recompute import recompute
from accord.measurement.services import ingest_events
from tests.conftest import NOW
from tests.measurement.clock_world import HOUR, JAN_1, event, sign, target

pytestmark = pytest.mark.django_db

MARCH_5 = datetime(2025, 3, 5, tzinfo=UTC)


@pytest.fixture
def globex(db, slm):
    Customer.objects.create(name="Globex")
    mail = Service.objects.create(name="Mail", status="live")
    sla = services.create_agreement(
        by=slm, now=NOW, name="Globex Mail", kind="sla", structure="service_based",
        services=[mail], effective_from=JAN_1, effective_to=MARCH_5)
    target(sla, slm, priority="P1", seconds=4 * HOUR)
    sign(sla.latest_version(), slm)
    return sla


def created(at, ticket="G1"):
    return event(1, at, "created", ticket, status="New", priority="P1", service="Mail",
                 customer="Globex")


def test_a_clock_open_when_its_agreement_expired_ends_at_that_instant(globex):
    ingest_events([created("2025-03-04T12:00")], now=NOW)

    clock = Clock.objects.get()
    # Closed at the end of the version, not running on at NOW with 2012-style breaches.
    assert clock.state == ClockState.ENDED
    assert clock.stopped_at == MARCH_5
    assert clock.elapsed_seconds == 12 * HOUR
    assert clock.breached_at == datetime(2025, 3, 4, 16, tzinfo=UTC)  # the fact stays
    assert clock.next_event_at is None  # nothing left to escalate
    assert not clock.is_open
    assert explain(clock)[-1] == ("2025-03-05T00:00Z ended (its agreement has no signed "
                                  "version in force any more)")


def test_a_clock_stopped_before_the_end_keeps_its_outcome(globex):
    ingest_events([created("2025-03-04T12:00"),
                   event(2, "2025-03-04T13:00", "resolved", "G1", status="Resolved")], now=NOW)

    clock = Clock.objects.get()
    assert (clock.state, clock.stopped_at) == (ClockState.MET,
                                               datetime(2025, 3, 4, 13, tzinfo=UTC))


def test_a_newer_version_does_not_end_the_clocks_of_the_older(globex, slm):
    draft = versions.new_draft_version(globex, by=slm, now=NOW, effective_from=MARCH_5,
                                       effective_to=None)
    sign(draft, slm)
    ingest_events([created("2025-03-04T12:00")], now=NOW)

    clock = Clock.objects.get()
    assert clock.state == ClockState.BREACHED and clock.stopped_at is None


def test_recompute_of_a_terminated_agreement_ends_its_clocks(globex, slm):
    ingest_events([created("2025-03-04T12:00", "G2")], now=datetime(2025, 3, 4, 13, tzinfo=UTC))
    assert Clock.objects.get().state == ClockState.RUNNING
    services.transition(globex, "active", by=slm, now=datetime(2025, 3, 4, 13, tzinfo=UTC))
    terminated = datetime(2025, 3, 4, 14, tzinfo=UTC)
    services.transition(globex, "terminated", by=slm, now=terminated, reason="merger")

    recompute(NOW)

    clock = Clock.objects.get()
    # Kept (the history stays reportable), closed at the termination instant.
    assert (clock.state, clock.stopped_at, clock.elapsed_seconds) == (
        ClockState.ENDED, terminated, 2 * HOUR)


def test_the_worker_ends_the_clocks_of_an_agreement_terminated_through_the_api(globex, slm):
    from accord.escalation.worker import FIRING_STEPS, refresh_clocks

    ingest_events([created("2025-03-04T12:00")], now=datetime(2025, 3, 4, 13, tzinfo=UTC))
    terminated = datetime(2025, 3, 4, 14, tzinfo=UTC)
    services.transition(globex, "terminated", by=slm, now=terminated, reason="merger")
    assert Clock.objects.get().state == ClockState.RUNNING  # agreements know no clocks

    assert refresh_clocks in FIRING_STEPS
    assert refresh_clocks(NOW, "w1") is True
    assert refresh_clocks(NOW, "w1") is False  # once

    clock = Clock.objects.get()
    assert (clock.state, clock.stopped_at, clock.next_event_at) == (
        ClockState.ENDED, terminated, None)


def test_the_worker_expires_an_agreement_and_ends_its_clocks_when_its_period_ends(db, slm):
    from accord.escalation.worker import apply_lifecycle, refresh_clocks

    Customer.objects.create(name="Globex")
    mail = Service.objects.create(name="Mail", status="live")
    march_9 = datetime(2025, 3, 9, tzinfo=UTC)
    sla = services.create_agreement(
        by=slm, now=NOW, name="Globex Mail", kind="sla", structure="service_based",
        services=[mail], effective_from=JAN_1, effective_to=march_9)
    target(sla, slm, priority="P1", seconds=4 * HOUR)
    sign(sla.latest_version(), slm)
    assert apply_lifecycle(NOW, "w1")  # activated
    ingest_events([created("2025-03-08T23:00")], now=datetime(2025, 3, 8, 23, 30, tzinfo=UTC))
    assert Clock.objects.get().state == ClockState.RUNNING

    later = datetime(2025, 3, 9, 0, 10, tzinfo=UTC)  # the worker's next pass
    assert apply_lifecycle(later, "w1") and refresh_clocks(later, "w1")

    sla.refresh_from_db()
    assert (sla.status, sla.status_changed_at) == ("expired", march_9)
    clock = Clock.objects.get()
    assert (clock.state, clock.stopped_at, clock.elapsed_seconds) == (
        ClockState.ENDED, march_9, HOUR)


def test_a_clock_read_after_its_agreement_ended_shows_ended_before_the_worker_runs(globex):
    from accord.measurement.live import as_of

    ingest_events([created("2025-03-04T12:00")], now=datetime(2025, 3, 4, 13, tzinfo=UTC))

    clock = as_of(Clock.objects.select_related("target", "ticket", "calendar"), NOW)[0]

    assert (clock.state, clock.stopped_at, clock.elapsed_seconds) == (
        ClockState.ENDED, MARCH_5, 12 * HOUR)
    assert Clock.objects.get().state == ClockState.RUNNING  # the row waits for the worker


def test_the_dashboard_does_not_count_clocks_of_ended_agreements_as_open(globex, client, reader):
    ingest_events([created("2025-03-04T12:00")], now=datetime(2025, 3, 4, 13, tzinfo=UTC))
    client.force_login(reader)

    response = client.get("/")  # now: long after 5 March, before any worker pass

    assert (response.context["open_clocks"], response.context["open_breached"]) == (0, 0)


def test_one_ticket_that_fails_to_recompute_does_not_hold_up_the_others(globex, slm,
                                                                        monkeypatch):
    from accord.measurement import recompute as module

    ingest_events([created("2025-03-04T12:00", "G1"), created("2025-03-04T12:00", "G2")],
                  now=datetime(2025, 3, 4, 13, tzinfo=UTC))
    bad = Ticket.objects.get(ticket_id="G1").pk
    real = module.recompute_tickets

    def failing(ids, now, **kw):
        if bad in ids:
            raise ValueError("a bad event")
        return real(ids, now, **kw)

    monkeypatch.setattr(module, "recompute_tickets", failing)
    monkeypatch.setattr(module, "_failed", {})

    assert module.refresh_stale(NOW) == 1
    assert Clock.objects.get(ticket__ticket_id="G2").state == ClockState.ENDED
    assert module.stale_tickets(NOW) == []  # set aside for a while
    assert module.stale_tickets(NOW + module.RETRY_AFTER) == [bad]
