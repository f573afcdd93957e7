"""Recompute: the command, calendar changes, and equality with incremental results."""


import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

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
