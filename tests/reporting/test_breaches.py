"""The service report's breach list and OLA/UC attribution, from real stored clocks."""

from datetime import UTC, datetime

from accord.escalation.models import Escalation
from accord.measurement.models import Clock
from accord.measurement.services import ingest_events
from accord.reporting.breaches import breach_rows
from tests.conftest import NOW
from tests.measurement.clock_world import HOUR, event, opened, world_fixture  # noqa: F401

MARCH = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC))


def handed_around():
    """INC1 (P1, 4 h): desk 09-10, second line 10-12 and 18-19, vendor 12-18; breached 13:00."""
    ingest_events([
        opened(),
        event(2, "2025-03-03T10:00", "updated", team="Second Line"),
        event(3, "2025-03-03T12:00", "updated", supplier="Vendor Co"),
        event(4, "2025-03-03T18:00", "updated", supplier=""),
        event(5, "2025-03-03T19:00", "resolved", status="Resolved"),
    ], now=NOW)


def test_it_lists_a_breach_with_its_escalation_and_decision(world, slm):
    handed_around()
    clock = Clock.objects.get(target=world["p1"])
    for level, decision in (("L1", ""), ("L2", "Vendor patch applied")):
        Escalation.objects.create(
            key=f"k-{level}", level=level, clock_ref="c", clock=clock, subject="s", at=NOW,
            action_taken=decision, decided_by=slm if decision else None,
            decided_at=NOW if decision else None)

    rows = breach_rows([world["sla"].pk], *MARCH, now=NOW)

    assert len(rows) == 1
    row = rows[0]
    assert row["ticket"] == "INC1" and row["priority"] == "P1"
    assert row["breached_at"] == "2025-03-03T13:00:00+00:00"
    assert row["over_seconds"] == 6 * HOUR  # 10 h used of 4 h
    assert (row["level"], row["decision"], row["decided_by"]) == (
        "L2", "Vendor patch applied", slm.username)


def test_a_stale_running_clock_past_due_is_a_breach_at_its_due_instant(world):
    ingest_events([opened(at="2025-03-05T09:00", ticket="INC2")],
                  now=datetime(2025, 3, 5, 10, tzinfo=UTC))
    assert Clock.objects.get(target=world["p1"]).state == "running"

    # As of 5 March 12:00 it has not breached yet; as of NOW (7 March) it breached at 13:00.
    assert breach_rows([world["sla"].pk], *MARCH,
                       now=datetime(2025, 3, 5, 12, tzinfo=UTC)) == []
    rows = breach_rows([world["sla"].pk], *MARCH, now=NOW)
    assert [(r["ticket"], r["breached_at"]) for r in rows] == [
        ("INC2", "2025-03-05T13:00:00+00:00")]
    # ...and it belongs to March, not to February.
    assert breach_rows([world["sla"].pk], datetime(2025, 2, 1, tzinfo=UTC), MARCH[0],
                       now=NOW) == []


def test_a_cancelled_or_met_clock_is_no_breach(world):
    ingest_events([opened(), event(2, "2025-03-03T10:00", "resolved", status="Resolved")],
                  now=NOW)
    assert breach_rows([world["sla"].pk], *MARCH, now=NOW) == []
