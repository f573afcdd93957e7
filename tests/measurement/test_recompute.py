"""Recompute: the command, calendar changes, and equality with incremental results."""


from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accord.catalogue import calendars
from accord.measurement.models import Clock
from accord.measurement.recompute import recompute
from accord.measurement.services import ingest_events
from tests.conftest import NOW
from tests.measurement.clock_world import HOUR, event, opened, world_fixture  # noqa: F401
from tests.measurement.test_clocks import stored

pytestmark = pytest.mark.django_db


def story(ticket="INC1", day=3):
    return [
        opened(f"2025-03-{day:02d}T09:00", ticket),
        event(2, f"2025-03-{day:02d}T10:00", "status_changed", ticket,
              status="Waiting for customer"),
        event(3, f"2025-03-{day:02d}T12:00", "updated", ticket, status="In Progress",
              team="Second Line"),
        event(4, f"2025-03-{day:02d}T14:00", "resolved", ticket, status="Resolved"),
    ]


def test_recompute_rebuilds_what_intake_stored(world):
    ingest_events(story() + story("INC2", 4), now=NOW)
    incremental = stored("INC1") + stored("INC2")
    ids = set(Clock.objects.values_list("pk", flat=True))
    Clock.objects.update(state="cancelled", elapsed_seconds=0)  # spoil the cache

    tickets, clocks = recompute(NOW)

    assert (tickets, clocks) == (2, 4)
    assert stored("INC1") + stored("INC2") == incremental
    assert set(Clock.objects.values_list("pk", flat=True)) == ids


def test_the_command_rebuilds_deleted_clocks_since_a_date(world, capsys):
    ingest_events(story() + story("INC2", 5), now=NOW)
    Clock.objects.all().delete()

    call_command("recompute", "--since", "2025-03-04")

    assert not Clock.objects.filter(ticket__ticket_id="INC1").exists()
    assert Clock.objects.filter(ticket__ticket_id="INC2").count() == 2
    assert "recomputed 1 tickets" in capsys.readouterr().out


def test_the_command_rebuilds_one_agreement(world):
    ingest_events(story(), now=NOW)
    Clock.objects.all().delete()

    call_command("recompute", "--agreement", world["sla"].reference)

    # The SLA's tickets get all their clocks back, the OLA's beside the SLA's.
    assert sorted(Clock.objects.values_list("kind", flat=True)) == ["ola", "sla"]


def test_the_command_refuses_unknown_agreements_and_naive_times(world):
    with pytest.raises(CommandError, match="no agreement"):
        call_command("recompute", "--agreement", "SLA-0999")
    with pytest.raises(CommandError, match="naive"):
        call_command("recompute", "--since", "2025-03-04T10:00")


def test_a_calendar_change_recomputes_the_clocks_measured_in_it(world, admin_user):
    office = calendars.create_calendar(by=admin_user, name="Office", tz="UTC",
                                       hours={d: [["09:00", "17:00"]] for d in
                                              ("mon", "tue", "wed", "thu", "fri")})
    world["acme"].calendar = office
    world["acme"].save()
    ingest_events([opened("2025-03-03T09:00"),
                   event(2, "2025-03-03T19:00", "resolved")], now=NOW)
    clock = Clock.objects.get(target=world["p1"])
    assert clock.elapsed_seconds == 8 * HOUR  # 09:00-17:00 business hours
    assert clock.calendar_id == office.pk

    calendars.update_calendar(office, by=admin_user,
                              hours={d: [["09:00", "18:00"]] for d in
                                     ("mon", "tue", "wed", "thu", "fri")})

    clock.refresh_from_db()
    assert clock.elapsed_seconds == 9 * HOUR
    office.refresh_from_db()
    assert clock.calendar_version == office.version == 2


# After the last event of ``many_stories`` (events further ahead than the skew are refused).
STORIES_DONE = datetime(2025, 3, 8, tzinfo=UTC)


def many_stories(count, start=0):
    """``count`` tickets over a week: a third paused and handed to the second line, a third
    with a supplier in between, the rest plain; P1 and P3 in turn; some still open."""
    events = []
    for n in range(start, start + count):
        day, hour, ticket = 3 + n % 5, 8 + n % 9, f"BULK{n}"
        at = f"2025-03-{day:02d}T{hour:02d}"
        events.append(opened(f"{at}:{n % 60:02d}", ticket, priority=("P1", "P3")[n % 2]))
        if n % 3 == 0:
            events += [event(2, f"{at}:59", "status_changed", ticket,
                             status="Waiting for customer"),
                       event(3, f"2025-03-{day:02d}T{hour + 2:02d}:00", "updated", ticket,
                             status="In Progress", team="Second Line")]
        elif n % 3 == 1:
            events += [event(2, f"{at}:59", "updated", ticket, supplier="Vendor Co"),
                       event(3, f"2025-03-{day:02d}T{hour + 3:02d}:00", "updated", ticket,
                             supplier="")]
        if n % 4:
            events.append(event(9, f"2025-03-{day:02d}T{hour + 5:02d}:00", "resolved", ticket,
                                status="Resolved"))
    return events


def every_stored() -> dict:
    """Every stored clock by (ticket, target, cycle), as ``stored`` shows one."""
    return {(c.ticket.ticket_id, c.target_id, c.cycle): (
        c.kind, c.holder, c.state, c.started_at, c.stopped_at, c.elapsed_seconds,
        c.paused_seconds, c.due_at, c.breached_at, c.percent, c.warnings, c.next_event_at,
        c.transitions, c.segments, c.attribution) for c in Clock.objects.select_related("ticket")}


def test_a_large_batch_of_new_tickets_stores_what_a_recompute_would(world, monkeypatch):
    """Intake computes new tickets' clocks while it writes (on PostgreSQL, on a second
    thread, chunk by chunk; alike clocks a column at a time): the result is the engine's."""
    from accord.measurement.services import ingest

    made = []

    class Recording(ingest.Beside):
        def __init__(self, *args, **kwargs):
            made.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(ingest, "Beside", Recording)
    ingest_events(many_stories(1200), now=STORIES_DONE)
    after_intake = every_stored()
    Clock.objects.all().delete()

    recompute(STORIES_DONE)

    assert every_stored() == after_intake
    assert len(after_intake) > 1500
    assert {row[0] for row in after_intake.values()} == {"sla", "ola", "uc"}
    assert len(made) == (1 if connection.vendor == "postgresql" else 0)


def test_tickets_created_meanwhile_by_another_writer_get_the_events(world, monkeypatch):
    """Between looking tickets up and creating them, another request created one: its
    events go to that ticket, and every clock is still the engine's."""
    from accord.measurement.models import Ticket
    from accord.measurement.services import ingest

    look_up = ingest._lookup_tickets
    calls = []

    def meanwhile(wanted):
        found = look_up(wanted)
        if not calls:  # just after the first look-up, the other writer commits BULK7
            Ticket.objects.create(source="itsm", ticket_id="BULK7")
        calls.append(wanted)
        return found

    monkeypatch.setattr(ingest, "_lookup_tickets", meanwhile)
    result = ingest_events(many_stories(40), now=STORIES_DONE)
    monkeypatch.undo()

    assert len(calls) == 2  # looked up again: the tickets are the database's
    assert result.stored == len(many_stories(40)) and result.rejected == 0
    ticket = Ticket.objects.get(ticket_id="BULK7")
    sent = [e for e in many_stories(40) if e["ticket_id"] == "BULK7"]
    assert ticket.events.count() == len(sent) == 4 and ticket.status == "Resolved"
    assert ticket.opened_at.isoformat() == sent[0]["timestamp"]
    assert Ticket.objects.filter(ticket_id__startswith="BULK").count() == 40
    after_intake = every_stored()
    Clock.objects.all().delete()
    recompute(STORIES_DONE)
    assert every_stored() == after_intake


def test_an_error_in_clocks_computed_beside_and_thrown_away_does_not_fail_intake(
        world, monkeypatch):
    """When the clocks computed meanwhile are thrown away (here: another writer created a
    ticket), so is whatever went wrong computing them."""
    import threading

    from accord.measurement import clocks
    from accord.measurement.models import Ticket
    from accord.measurement.services import ingest

    rows_of, look_up = clocks.rows_of, ingest._lookup_tickets

    def failing_beside(owners, items, now):
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("computing beside failed")
        return rows_of(owners, items, now)

    def meanwhile(wanted):
        found = look_up(wanted)
        Ticket.objects.get_or_create(source="itsm", ticket_id="BULK3")
        return found

    monkeypatch.setattr(clocks, "rows_of", failing_beside)
    monkeypatch.setattr(ingest, "_lookup_tickets", meanwhile)
    result = ingest_events(many_stories(30), now=STORIES_DONE)

    assert result.stored == len(many_stories(30))
    assert Clock.objects.filter(ticket__ticket_id="BULK3").exists()
