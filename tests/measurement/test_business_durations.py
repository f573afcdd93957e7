"""Business durations read in business hours on every page (issue 15, trap 8): a 24
business-hour target is "24 h", never "1 d"; days only with a business-day length."""

from datetime import UTC, datetime

import pytest

from accord.lib.durations import business_duration, wall_duration
from accord.measurement.models import Ticket
from accord.measurement.services import ingest_events
from tests.measurement.clock_world import opened, world_fixture  # noqa: F401


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "—"), (0, "0 s"), (42, "42 s"), (61 * 60, "1 h 1 min"), (4 * 3600, "4 h"),
    (24 * 3600, "24 h"), (121 * 86400 + 11 * 3600, "2,915 h"), (90 * 60 + 30, "1 h 30 min"),
])
def test_business_time_reads_in_business_hours(seconds, text):
    assert business_duration(seconds) == text


def test_business_days_only_where_the_calendar_defines_a_day_length():
    assert business_duration(24 * 3600, day_seconds=8 * 3600) == "3 d"
    assert business_duration(26 * 3600 + 60, day_seconds=8 * 3600) == "3 d 2 h 1 min"


def test_wall_time_may_read_in_days():
    assert wall_duration(2 * 86400 + 4 * 3600) == "2 d 4 h"


@pytest.mark.django_db
def test_the_ticket_page_and_the_clock_list_show_a_72_hour_target_in_hours(world, client,
                                                                           reader):
    ingest_events([opened("2025-03-03T09:00", priority="P3")],
                  now=datetime(2025, 3, 3, 10, tzinfo=UTC))
    client.force_login(reader)

    ticket = client.get(f"/tickets/{Ticket.objects.get().pk}/").content.decode()
    clocks = client.get("/clocks/?show=all").content.decode()

    for page in (ticket, clocks):
        assert "of 72 h" in page
        assert "3 d" not in page
