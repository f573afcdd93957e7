"""Running clocks shown as of the request (issue 15, trap 3): pages and the API bring open
clocks up to ``now`` with the engine and say so; the stored rows are not rewritten."""

import json
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from accord.measurement.models import Clock, Ticket
from accord.measurement.services import ingest_events
from tests.measurement.clock_world import HOUR, event, opened, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

WRITTEN = datetime(2025, 3, 3, 15, 18, tzinfo=UTC)  # the row was last written at 15:18


@pytest.fixture
def stale(world):
    ingest_events([opened("2025-03-03T15:00")], now=WRITTEN)  # P1: 4 h, 24x7
    return Ticket.objects.get()


def at(monkeypatch, hour, minute):
    instant = datetime(2025, 3, 3, hour, minute, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    return instant


def sla(items):
    return next(c for c in items if c["kind"] == "sla")


def test_the_api_shows_a_running_clock_as_of_the_request(stale, reader, api, monkeypatch):
    now = at(monkeypatch, 16, 1)

    clock = sla(api(reader).get(f"tickets/{stale.pk}/clocks").data)

    assert clock["elapsed_seconds"] == 61 * 60  # not the 18 min stored at 15:18
    assert clock["percent"] == pytest.approx(61 / 240 * 100)
    assert clock["as_of"] == now.isoformat().replace("+00:00", "Z")
    assert clock["segments"][-1]["end"] == now.isoformat()  # the timeline reaches now
    stored = Clock.objects.get(kind="sla")
    assert (stored.elapsed_seconds, stored.computed_at) == (18 * 60, WRITTEN)  # not rewritten


def test_a_clock_that_ran_out_since_its_row_was_written_reads_breached(stale, reader, api,
                                                                          monkeypatch):
    at(monkeypatch, 19, 30)

    items = api(reader).get("clocks?kind=sla").data["items"]

    clock = sla(items)
    assert (clock["state"], clock["breached_at"], clock["elapsed_seconds"]) == (
        "breached", "2025-03-03T19:00:00Z", 4.5 * HOUR)
    assert set(clock["warnings"]) == {"50", "75", "90"}
    assert clock["as_of"] == "2025-03-03T19:30:00Z"


def test_the_ticket_page_says_as_of_when(stale, client, reader, monkeypatch):
    client.force_login(reader)
    at(monkeypatch, 16, 1)

    page = client.get(f"/tickets/{stale.pk}/").content.decode()

    assert "<strong>1 h 1 min</strong> of 4 h" in page
    assert "as of <time" in page and ">16:01</time>" in page


def test_the_dashboard_counts_clocks_at_risk_as_of_now(stale, client, reader, monkeypatch):
    client.force_login(reader)
    at(monkeypatch, 18, 10)  # 79 % of 4 hours used; the stored row says 7.5 %

    response = client.get("/")

    assert response.context["at_risk"] == 1
    at(monkeypatch, 19, 10)
    response = client.get("/")
    assert (response.context["at_risk"], response.context["open_breached"]) == (0, 1)


def test_the_ticket_list_shows_a_clock_past_due_as_breached(stale, client, reader, monkeypatch):
    client.force_login(reader)
    at(monkeypatch, 19, 10)

    page = client.get("/tickets/").content.decode()

    assert "resolution breached" in page and "resolution running" not in page
    assert ">19:10</time>" in page


@pytest.mark.parametrize("later", [
    datetime(2025, 3, 3, 16, 59, tzinfo=UTC),  # still running, warnings crossed meanwhile
    datetime(2025, 3, 4, 8, 0, tzinfo=UTC),  # overnight: the office is closed
    datetime(2025, 3, 4, 10, 30, tzinfo=UTC),  # past the target the next morning
    datetime(2025, 3, 8, 12, 0, tzinfo=UTC),  # over a weekend
])
def test_brought_up_to_now_on_read_equals_a_recompute_at_now(world, admin_user, later):
    from accord.catalogue import calendars
    from accord.measurement.applicability import Applicability
    from accord.measurement.clocks import CLOCK_COLUMNS, compute_chunk
    from accord.measurement.live import as_of

    office = calendars.create_calendar(by=admin_user, name="Office", tz="Europe/Paris",
                                       hours={d: [["09:00", "17:00"]] for d in
                                              ("mon", "tue", "wed", "thu", "fri")})
    world["acme"].calendar = office
    world["acme"].save()
    ingest_events([opened("2025-03-03T09:00")], now=datetime(2025, 3, 3, 10, tzinfo=UTC))
    stored = Clock.objects.select_related("target", "calendar", "ticket").get(kind="sla")

    shown = as_of([stored], later)[0]

    _, rows = compute_chunk([stored.ticket_id], later, {}, Applicability())
    fresh = dict(zip(CLOCK_COLUMNS, next(r for r in rows if r[1] == stored.target_id),
                     strict=True))
    assert (shown.state, shown.elapsed_seconds, shown.breached_at) == (
        fresh["state"], fresh["elapsed_seconds"], fresh["breached_at"])
    assert shown.percent == pytest.approx(fresh["percent"])
    assert shown.warnings == json.loads(fresh["warnings"])
    assert shown.segments == json.loads(fresh["segments"])


def test_a_paused_clock_read_later_is_due_as_if_it_resumed_now(world):
    from accord.measurement.applicability import Applicability
    from accord.measurement.clocks import CLOCK_COLUMNS, compute_chunk
    from accord.measurement.live import as_of

    ingest_events([opened("2025-03-03T09:00"),
                   event(2, "2025-03-03T10:00", "status_changed", status="Waiting for customer")],
                  now=datetime(2025, 3, 3, 10, 30, tzinfo=UTC))
    stored = Clock.objects.select_related("target", "calendar", "ticket").get(kind="sla")
    later = datetime(2025, 3, 3, 15, tzinfo=UTC)

    shown = as_of([stored], later)[0]

    _, rows = compute_chunk([stored.ticket_id], later, {}, Applicability())
    fresh = dict(zip(CLOCK_COLUMNS, rows[0], strict=True))
    assert (shown.state, shown.elapsed_seconds, shown.paused_seconds, shown.due_at) == (
        "paused", HOUR, fresh["paused_seconds"], fresh["due_at"])
    assert shown.segments == json.loads(fresh["segments"])
