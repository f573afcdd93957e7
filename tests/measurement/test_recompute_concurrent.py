"""Clocks computed beside an import and by several recompute processes equal the clocks of
the plain one-transaction path. These tests commit (``transaction=True``): on PostgreSQL the
import's clock process and the recompute workers, each with its own connection, see the
events; on SQLite the same calls take the single-connection path."""

import csv

import pytest

from accord.measurement.importers import importer_for, run_import
from accord.measurement.models import Clock, Ticket
from accord.measurement.recompute import recompute, recompute_ids
from tests.conftest import NOW
from tests.measurement.clock_world import world_fixture  # noqa: F401
from tests.measurement.test_clocks import stored

pytestmark = pytest.mark.django_db(transaction=True)

COLUMNS = ("source", "event_id", "ticket_id", "timestamp", "kind", "status", "priority",
           "service", "customer", "team")


def row(ticket, n, at, kind, status, **fields):
    return {"source": "itsm", "event_id": f"{ticket}-{n}", "ticket_id": ticket,
            "timestamp": f"2025-03-03T{at}:00+00:00", "kind": kind, "status": status,
            **fields}


def interleaved_log(path):
    """Three tickets whose events interleave, so each spans several two-row batches; INC2
    comes back after the others were handed over for clocks."""
    first = {"service": "Web Shop", "customer": "Acme", "team": "Service Desk"}
    rows = [
        row("INC1", 1, "09:00", "created", "New", priority="P1", **first),
        row("INC2", 1, "09:10", "created", "New", priority="P3", **first),
        row("INC1", 2, "10:00", "status_changed", "Waiting for customer"),
        row("INC3", 1, "10:05", "created", "New", priority="P1", **first),
        row("INC1", 3, "11:00", "updated", "In Progress", team="Second Line"),
        row("INC3", 2, "11:30", "resolved", "Resolved"),
        row("INC1", 4, "12:30", "resolved", "Resolved"),
        row("INC2", 2, "15:00", "updated", "In Progress", priority="P1"),
    ]
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_an_import_in_small_batches_stores_the_clocks_of_every_event(world, tmp_path):
    log = interleaved_log(tmp_path / "log.csv")

    summary = run_import(importer_for(log), now=NOW, batch_size=2)

    assert (summary.stored, summary.rejected, summary.tickets) == (8, 0, 3)
    imported = {t: stored(t) for t in ("INC1", "INC2", "INC3")}
    # INC1: P1 (4 h) paused an hour while waiting for the customer, resolved at 12:30;
    # INC2 raised from P3 to P1 at 15:00, after its P1 target was already exceeded.
    p1 = Clock.objects.get(ticket__ticket_id="INC1", target=world["p1"])
    assert (p1.state, p1.elapsed_seconds, p1.paused_seconds) == ("met", 2.5 * 3600, 3600)
    assert Clock.objects.get(ticket__ticket_id="INC2", target=world["p1"]).state == "breached"
    assert Clock.objects.filter(ticket__ticket_id="INC1", target=world["ola_target"]).exists()
    # Recomputing everything from the stored events changes nothing.
    recompute_ids(list(Ticket.objects.values_list("pk", flat=True)), NOW)
    assert {t: stored(t) for t in imported} == imported


def test_recompute_with_two_workers_gives_the_same_clocks(world, tmp_path):
    run_import(importer_for(interleaved_log(tmp_path / "log.csv")), now=NOW)
    before = {t: stored(t) for t in ("INC1", "INC2", "INC3")}
    Clock.objects.all().delete()

    tickets, clocks = recompute(NOW, workers=2)

    assert (tickets, clocks) == (3, sum(len(c) for c in before.values()))
    assert {t: stored(t) for t in before} == before


def test_a_large_recompute_leaves_the_planner_fresh_statistics(world, tmp_path, monkeypatch):
    """After rewriting many clocks the tables are ANALYZEd, so the reports' queries are
    planned on what the tables now hold (PostgreSQL; SQLite has no planner statistics)."""
    from django.db import connection

    from accord.measurement import recompute as module

    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    run_import(importer_for(interleaved_log(tmp_path / "log.csv")), now=NOW)

    def analyzed():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT analyze_count FROM pg_stat_user_tables "
                           "WHERE relname = 'measurement_clock'")
            return cursor.fetchone()[0]

    before = analyzed()
    recompute(NOW)  # 3 tickets: below the threshold, no ANALYZE
    assert analyzed() == before
    monkeypatch.setattr(module, "ANALYZE_FROM", 3)
    recompute(NOW)
    assert analyzed() == before + 1
