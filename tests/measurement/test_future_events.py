"""An event stamped in the future (issue 15, trap 2). The rule: an event up to
ACCORD_EVENT_MAX_SKEW seconds (default 300) ahead of the server's clock is accepted and its
ticket's clocks are recomputed by the worker when that instant comes; one further ahead is
refused, naming ``timestamp``, and nothing is stored."""

from datetime import UTC, datetime

import pytest

from accord.escalation.worker import idle_seconds, refresh_clocks
from accord.measurement.choices import ClockState
from accord.measurement.models import Clock, Ticket, TicketEvent
from accord.measurement.services import ingest_events
from tests.measurement.clock_world import event, opened, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

AT_15_37 = datetime(2025, 3, 3, 15, 37, tzinfo=UTC)
AT_15_40 = datetime(2025, 3, 3, 15, 40, tzinfo=UTC)
AT_15_41 = datetime(2025, 3, 3, 15, 41, tzinfo=UTC)


def p1():
    return Clock.objects.get(ticket__ticket_id="INC1", metric="resolution", target__priority="P1")


def test_a_resolution_stamped_ahead_stops_the_clock_when_its_instant_comes(world):
    ingest_events([opened("2025-03-03T15:00")], now=AT_15_37)
    result = ingest_events([event(2, "2025-03-03T15:40", "resolved", status="Resolved")],
                           now=AT_15_37)

    assert result.stored == 1
    assert p1().state == ClockState.RUNNING  # 15:40 has not come yet at 15:37
    assert Ticket.objects.get().recheck_at == AT_15_40
    assert idle_seconds(600, AT_15_37) == 180  # the worker wakes at 15:40

    assert refresh_clocks(AT_15_41, "w1") is True

    clock = p1()
    assert (clock.state, clock.stopped_at, clock.elapsed_seconds) == (
        ClockState.MET, AT_15_40, 40 * 60)
    assert Ticket.objects.get().recheck_at is None
    assert refresh_clocks(AT_15_41, "w1") is False  # once


def test_a_ticket_opened_slightly_ahead_gets_its_clocks_when_it_opens(world):
    ingest_events([opened("2025-03-03T15:40")], now=AT_15_37)
    assert not Clock.objects.exists()

    refresh_clocks(AT_15_41, "w1")

    assert p1().state == ClockState.RUNNING and p1().started_at == AT_15_40


def test_an_event_further_ahead_than_the_skew_is_refused_naming_the_timestamp(world):
    result = ingest_events([opened("2025-03-03T15:43")], now=AT_15_37)

    assert result.rejected == 1
    assert result.results[0].errors[0]["field"] == "timestamp"
    assert "ACCORD_EVENT_MAX_SKEW" in result.results[0].errors[0]["msg"]
    assert not TicketEvent.objects.exists() and not Ticket.objects.exists()


def test_the_skew_is_configurable(world, settings):
    settings.ACCORD_EVENT_MAX_SKEW = 0
    assert ingest_events([opened("2025-03-03T15:38")], now=AT_15_37).rejected == 1
    settings.ACCORD_EVENT_MAX_SKEW = 3600
    assert ingest_events([opened("2025-03-03T16:30")], now=AT_15_37).stored == 1
