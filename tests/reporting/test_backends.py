"""One aggregation, two backends: SQL GROUP BY on stored clocks and the same aggregation over
in-memory rows from the engine agree exactly, figure for figure."""

from datetime import UTC, datetime, timedelta

import pytest

from accord.measurement.applicability import Applicability
from accord.measurement.clocks import compute_chunk
from accord.measurement.models import Clock, Ticket
from accord.measurement.services import ingest_events
from accord.reporting.aggregate import (
    ClockRow,
    rows_from_computed,
)
from accord.reporting.compliance import compliance_report, month_bounds
from accord.reporting.counts import stored_counts
from accord.reporting.memory import memory_aggregate, memory_aggregates
from accord.reporting.periods import Period
from accord.reporting.stored import (
    sql_aggregate,
    stored_aggregate,
    stored_aggregates,
    stored_clocks,
)

from .conftest import AFTER, HOUR, clock

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def event(ticket, n, when, kind, **fields):
    return {"source": "itsm", "event_id": f"{ticket}-{n}", "ticket_id": ticket,
            "timestamp": when.isoformat(), "kind": kind, **fields}


def history(i: int) -> list[dict]:
    """Ticket i: P1 or P2, resolved after a varying time, some via Second Line or Vendor Co,
    some never resolved, around Tokyo's month boundaries."""
    start = at("2025-02-27T10:00") + timedelta(hours=7 * i)
    ticket = f"INC{i}"
    events = [event(ticket, 1, start, "created", status="New",
                    priority="P1" if i % 3 else "P2", service="Web Shop", customer="Acme",
                    team="Service Desk")]
    if i % 4 == 1:
        events.append(event(ticket, 2, start + timedelta(hours=1), "updated",
                            team="Second Line"))
    if i % 5 == 2:
        events.append(event(ticket, 3, start + timedelta(hours=2), "updated",
                            supplier="Vendor Co"))
    if i % 7 != 6:
        events.append(event(ticket, 4, start + timedelta(hours=(i * 37) % 13 + 0.5),
                            "resolved", status="Resolved"))
    return events


def test_sql_and_memory_agree_on_engine_clocks(world):
    written = at("2025-03-20T00:00")  # stored rows as of then: some become stale later
    ingest_events([e for i in range(60) for e in history(i)], now=written)
    tickets = list(Ticket.objects.values_list("pk", "priority"))
    _, computed = compute_chunk([pk for pk, _ in tickets], written, {}, Applicability())
    rows = rows_from_computed(computed, dict(tickets))
    assert len(rows) == Clock.objects.count() > 60
    ids = [world[k].pk for k in ("sla", "ola", "uc")]

    for label in ("2025-02", "2025-03", "2025-Q1", "2025"):
        period = Period.parse(label, tz="Asia/Tokyo")
        bounds = month_bounds(period)
        for now in (written, AFTER):
            sql = sql_aggregate(stored_clocks(ids, bounds), bounds, now)
            memory = memory_aggregate(rows, bounds, now)
            assert sql.normalised() == memory.normalised(), (label, now)
    march = sql_aggregate(stored_clocks(ids, month_bounds(Period.parse("2025-03"))),
                          month_bounds(Period.parse("2025-03")), AFTER)
    assert sum(c["breached"] for c in march.counts.values()) > 0  # the test sees breaches
    # One pass over the rows gives each month's aggregate as if the month were alone (the
    # replay's path), with the open clocks and the month's own percentiles.
    year = month_bounds(Period.parse("2025", tz="Asia/Tokyo"))
    for now in (written, AFTER):
        for i, alone in enumerate(memory_aggregates(rows, year, now)):
            assert alone.normalised() == memory_aggregate(rows, year[i:i + 2], now).normalised()
            assert alone.normalised() == sql_aggregate(stored_clocks(ids, year[i:i + 2]),
                                                       year[i:i + 2], now).normalised()
    assert sum(c["met"] for c in march.counts.values()) > 0
    assert march.held  # and attribution

    # The whole report is the same from either backend.
    for agreement in (world["sla"], world["ola"], world["uc"]):
        stored = compliance_report(agreement, "2025-03", now=AFTER)
        replayed = compliance_report(agreement, "2025-03", now=AFTER, rows=rows)
        stored["kpis"].pop("open_at_risk")
        replayed["kpis"].pop("open_at_risk")
        assert stored == replayed


def test_sql_and_memory_agree_on_hand_made_edge_cases(world):
    p1, p2 = world["p1"], world["p2"]
    clock(p1, "met", at("2025-02-28T13:00"), stopped=at("2025-02-28T16:00"))
    clock(p1, "breached", at("2025-03-31T09:00"), breached=at("2025-03-31T14:59"),
          attribution={"team A": 10.0, "team B": 10.0})  # a tie: the first name
    clock(p1, "running", at("2025-03-10T00:00"), computed=at("2025-03-10T01:00"))
    clock(p1, "running", at("2025-03-30T00:00"), computed=at("2025-03-30T01:00"),
          due=at("2025-04-05T00:00"))
    clock(p2, "paused", at("2025-01-30T00:00"), computed=AFTER)
    clock(p2, "ended", at("2025-03-05T00:00"), stopped=at("2025-03-06T00:00"))
    clock(p2, "ended", at("2025-03-20T00:00"), breached=at("2025-03-21T00:00"),
          stopped=at("2025-04-02T00:00"))  # breached, then its agreement ended
    clock(p2, "cancelled", at("2025-03-05T00:00"), stopped=at("2025-03-06T00:00"))
    clock(p2, "breached", at("2025-03-07T00:00"), attribution={"supplier Vendor Co": HOUR,
                                                               "unassigned": 2 * HOUR})
    rows = [ClockRow.from_clock(c) for c in Clock.objects.select_related("ticket")]
    period = Period.parse("2025-Q1", tz="Asia/Tokyo")
    bounds = month_bounds(period)

    for now in (at("2025-03-10T03:00"), AFTER):
        sql = sql_aggregate(stored_clocks([world["sla"].pk], bounds), bounds, now)
        assert sql.normalised() == memory_aggregate(rows, bounds, now).normalised()
        in_one_pass = stored_aggregates([world["sla"].pk], bounds, now)
        for i, alone in enumerate(memory_aggregates(rows, bounds, now)):
            month = sql_aggregate(stored_clocks([world["sla"].pk], bounds[i:i + 2]),
                                  bounds[i:i + 2], now)
            assert alone.normalised() == month.normalised(), (i, now)
            assert in_one_pass[i].normalised() == month.normalised(), (i, now)
    sql = sql_aggregate(stored_clocks([world["sla"].pk], bounds), bounds, AFTER)
    assert sql.top[(2, "team A")] == 1
    # Unassigned held most of the P2 breach; the stale running clock and the clock that
    # breached before its agreement ended have no attribution.
    assert sql.top[(2, "unassigned")] == 3
    assert sql.top[(2, "supplier Vendor Co")] == 0


def test_it_gives_the_same_figures_from_the_sql_compiled_once(world):
    """``stored_aggregate`` (and ``stored_counts``) compile their SQL once per shape and put
    each call's agreements, bucket edges and ``now`` in their places: the figures are those
    of a freshly compiled query, whatever shape or values came first."""
    written = at("2025-03-20T00:00")
    ingest_events([e for i in range(60) for e in history(i)], now=written)
    every = [world[k].pk for k in ("sla", "ola", "uc")]
    compared = 0
    for ids in (every, [world["sla"].pk], [world["uc"].pk], every[::-1]):
        for label in ("2025-03", "2025-02", "2025-Q1"):
            bounds = month_bounds(Period.parse(label, tz="Asia/Tokyo"))
            for now in (written, AFTER):
                fresh = sql_aggregate(stored_clocks(ids, bounds), bounds, now)
                kept = stored_aggregate(ids, bounds, now)
                assert kept.normalised() == fresh.normalised(), (ids, label, now)
                for i, month in enumerate(stored_aggregates(ids, bounds, now)):
                    alone = sql_aggregate(stored_clocks(ids, bounds[i:i + 2]),
                                          bounds[i:i + 2], now)
                    assert month.normalised() == alone.normalised(), (ids, label, now, i)
                    assert month.percentiles or not alone.percentiles
                counts = stored_counts(ids, bounds, now)  # the trend's: the counts alone
                assert counts.normalised()[0] == fresh.normalised()[0], (ids, label, now)
                compared += bool(fresh.counts)
    assert compared > 10  # most of them have clocks to count
    assert stored_aggregate([], month_bounds(Period.parse("2025-03")), AFTER).counts == {}
    assert [a.counts for a in stored_aggregates([], month_bounds(Period.parse("2025-Q1")),
                                                AFTER)] == [{}, {}, {}]
