"""Stored clocks kept current by event intake."""

import random

import pytest

from accord.measurement.clocks import recompute_tickets
from accord.measurement.models import Clock, Ticket
from accord.measurement.services import ingest_events
from tests.conftest import NOW
from tests.measurement.clock_world import HOUR, event, opened, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def stored(ticket="INC1"):
    """The ticket's stored clocks as comparable tuples (no ids, no computed_at)."""
    rows = Clock.objects.filter(ticket__ticket_id=ticket).order_by("target", "cycle")
    return [(c.target_id, c.cycle, c.kind, c.holder, c.state, c.started_at, c.stopped_at,
             c.elapsed_seconds, c.paused_seconds, c.due_at, c.breached_at, c.percent,
             c.warnings, c.next_event_at, c.transitions, c.segments, c.attribution)
            for c in rows]


def one(target, ticket="INC1"):
    return Clock.objects.get(ticket__ticket_id=ticket, target=target)


def test_it_starts_a_clock_when_a_ticket_opens(world):
    ingest_events([opened()], now=NOW)

    clock = one(world["p1"])
    # Opened 3 March 09:00, measured at NOW (7 March 12:00): far past 4 hours.
    assert clock.kind == "sla"
    assert clock.state == "breached"
    assert clock.started_at.isoformat() == "2025-03-03T09:00:00+00:00"
    assert clock.breached_at.isoformat() == "2025-03-03T13:00:00+00:00"
    assert clock.stopped_at is None
    assert set(clock.warnings) == {"50", "75", "90"}


def test_it_stops_the_clock_at_resolution(world):
    ingest_events([opened(), event(2, "2025-03-03T11:00", "resolved", status="Resolved")],
                  now=NOW)

    clock = one(world["p1"])
    assert clock.state == "met"
    assert clock.elapsed_seconds == 2 * HOUR
    assert clock.percent == 50
    assert clock.next_event_at is None


def test_a_running_clock_knows_its_next_warning(world):
    now = NOW.replace(day=3, hour=10)  # one hour into a 4-hour target
    ingest_events([opened()], now=now)

    clock = one(world["p1"])
    assert clock.state == "running"
    # The 50 % warning falls at 11:00; the escalation worker looks for it there.
    assert clock.next_event_at.isoformat() == "2025-03-03T11:00:00+00:00"
    assert clock.due_at.isoformat() == "2025-03-03T13:00:00+00:00"


def test_waiting_for_customer_pauses_the_clock(world):
    ingest_events([
        opened(),
        event(2, "2025-03-03T10:00", "status_changed", status="Waiting for customer"),
        event(3, "2025-03-03T15:00", "status_changed", status="In Progress"),
        event(4, "2025-03-03T16:00", "resolved", status="Resolved"),
    ], now=NOW)

    clock = one(world["p1"])
    # 1 h running, 5 h waiting for the customer, 1 h running: met within 4 hours.
    assert clock.state == "met"
    assert clock.elapsed_seconds == 2 * HOUR
    assert clock.paused_seconds == 5 * HOUR
    assert [s["state"] for s in clock.segments] == ["running", "paused", "running"]


def test_duplicates_and_shuffled_order_store_identical_clocks(world):
    story = [
        opened(),
        event(2, "2025-03-03T10:00", "status_changed", status="Waiting for customer"),
        event(3, "2025-03-03T12:00", "updated", status="In Progress", team="Second Line"),
        event(4, "2025-03-03T13:00", "updated", supplier="Vendor Co"),
        event(5, "2025-03-04T13:00", "updated", supplier=""),
        event(6, "2025-03-04T15:00", "resolved", status="Resolved"),
    ]
    ingest_events(story, now=NOW)
    in_order = stored()
    Ticket.objects.all().delete()

    shuffled = story * 2
    random.Random(4).shuffle(shuffled)
    for item in shuffled:  # one at a time, out of order, each twice
        ingest_events([item], now=NOW)

    assert stored() == in_order
    assert len(in_order) == 3  # SLA P1, OLA, UC


def test_a_priority_change_moves_the_ticket_to_the_other_target(world):
    ingest_events([opened(priority="P3")], now=NOW.replace(day=3, hour=10))
    assert one(world["p3"]).state == "running"

    ingest_events([event(2, "2025-03-03T11:00", "updated", priority="P1")],
                  now=NOW.replace(day=3, hour=12))

    p3, p1 = one(world["p3"]), one(world["p1"])
    assert p3.state == "cancelled"
    assert p3.stopped_at.isoformat() == "2025-03-03T11:00:00+00:00"
    # P1 runs from the ticket's original start, not from the change.
    assert p1.state == "running"
    assert p1.started_at.isoformat() == "2025-03-03T09:00:00+00:00"
    assert p1.elapsed_seconds == 3 * HOUR


def test_ola_and_uc_clocks_run_beside_the_sla_clock(world):
    # The desk hands the ticket to the second line at 10:00; they pass it to the vendor
    # at 12:00, who hands it back at 18:00; second line resolves at 19:00.
    ingest_events([
        opened(),
        event(2, "2025-03-03T10:00", "updated", team="Second Line"),
        event(3, "2025-03-03T12:00", "updated", supplier="Vendor Co"),
        event(4, "2025-03-03T18:00", "updated", supplier=""),
        event(5, "2025-03-03T19:00", "resolved", status="Resolved"),
    ], now=NOW)

    sla, ola, uc = one(world["p1"]), one(world["ola_target"]), one(world["uc_target"])
    assert (sla.state, sla.elapsed_seconds) == ("breached", 10 * HOUR)
    assert (ola.kind, ola.holder) == ("ola", "Second Line")
    assert (ola.state, ola.elapsed_seconds) == ("met", 3 * HOUR)  # 10-12 and 18-19
    assert (uc.kind, uc.holder) == ("uc", "Vendor Co")
    assert (uc.state, uc.elapsed_seconds) == ("met", 6 * HOUR)
    # The SLA clock says who used its time.
    assert sla.attribution == {"team Service Desk": HOUR, "team Second Line": 3 * HOUR,
                               "supplier Vendor Co": 6 * HOUR}


def test_a_team_that_never_held_the_ticket_has_no_clock(world):
    ingest_events([opened()], now=NOW)

    assert not Clock.objects.filter(kind="ola").exists()


def test_recompute_keeps_row_ids_and_removes_vanished_cycles(world):
    ingest_events([opened(), event(2, "2025-03-03T11:00", "resolved"),
                   event(3, "2025-03-03T12:00", "reopened")], now=NOW)
    first = Clock.objects.get(target=world["p1"], cycle=1).pk
    assert Clock.objects.filter(target=world["p1"]).count() == 2

    ticket = Ticket.objects.get()
    ticket.events.filter(kind="reopened").delete()
    recompute_tickets([ticket.pk], NOW)

    assert list(Clock.objects.filter(target=world["p1"]).values_list("pk", "cycle")) == [
        (first, 1)]


def test_a_condition_on_a_list_in_the_payload_keeps_intake_working(world, slm):
    """Payload values may be any JSON; a target whose pause reads a list still measures."""
    from accord.agreements import services as agreements
    from tests.measurement.clock_world import JAN_1, sign, target

    sla = agreements.create_agreement(by=slm, now=NOW, name="Tagged", kind="sla",
                                      structure="corporate", effective_from=JAN_1)
    tagged = target(sla, slm, seconds=8 * HOUR,
                    pause_condition={"field": "payload.tags", "set": True})
    sign(sla.latest_version(), slm)

    result = ingest_events([
        opened(payload={"tags": ["vip", "press"]}),
        event(2, "2025-03-03T10:00", "updated", payload={"tags": None}),
        event(3, "2025-03-03T13:00", "resolved", status="Resolved"),
    ], now=NOW)

    assert result.stored == 3
    clock = one(tagged)
    assert (clock.state, clock.paused_seconds, clock.elapsed_seconds) == ("met", HOUR, 3 * HOUR)
