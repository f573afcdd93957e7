"""Ingest benchmark: prints one table from one run on PostgreSQL.

    python bench/ingest_bench.py [--tickets N] [--batches K] [--workers W]
                                 [--parts api,imports,recompute]

Timings on a shared virtual machine swing by a third from one minute to the next; the API
figure is the median of batches 2..K, each beside a COPY of the same rows run right after
it, so the ratio is steadier than either rate.

Creates its own scratch database ``accord_bench`` on the server of DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test), migrates it, and drops it at the end; it never
touches any other database. Measures:

1. POST /api/v1/events through Django's test Client (the full HTTP stack, token auth, JSON
   parsing, validation, storage, ticket refresh and clocks kept current against a corporate
   SLA), batches of 10,000 events; beside a raw COPY of the same rows into the events table
   (the floor for writing them at all), and the ratio.
2. ``accord import`` (run_import, the command's engine) of the whole BPI 2013 incident log and
   the whole UCI ServiceNow log.
3. ``accord recompute`` (measurement.recompute.recompute) of N synthetic tickets
   (created + resolved, some paused), default 1,000,000.
"""

import argparse
import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _common

REAL = Path(__file__).resolve().parents[1].parent / "shared/data/itsm"
SCRATCH = "accord_bench"
BATCH = 10_000


def events(n, tag, t0=datetime(2025, 1, 1, tzinfo=UTC)):
    """n events of n/5 tickets: created, then four status changes each."""
    statuses = ["New", "Active", "Awaiting User", "Active", "Resolved"]
    return [{"source": "bench", "event_id": f"{tag}-{i}", "ticket_id": f"{tag}-T{i // 5}",
             "timestamp": (t0 + timedelta(minutes=i)).isoformat(),
             "kind": ("created", "status_changed", "status_changed", "status_changed",
                      "resolved")[i % 5],
             "status": statuses[i % 5], "priority": "P3", "team": f"Team {(i // 5) % 20}",
             "payload": {"category": f"cat {i % 7}", "n": i}} for i in range(n)]


def bench_api(batches):
    from django.db import connection, transaction
    from django.test import Client

    from accord.accounts import services as accounts
    from accord.catalogue.models import Team
    from accord.measurement.models import Clock, Ticket, TicketEvent
    from accord.measurement.services import ingest_events
    from accord.measurement.services._bulk import refresh_statistics

    for k in range(20):
        Team.objects.get_or_create(name=f"Team {k}")
    refresh_statistics(Ticket, TicketEvent)
    user = accounts.create_user("bench-api", role="analyst")
    _, raw = accounts.create_token(user, "bench", "write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    api_times, copy_times, bare_times = [], [], []
    for run in range(batches):
        tag = f"r{run}"
        batch = events(BATCH, tag)
        body = json.dumps(batch)
        started = time.perf_counter()
        response = client.post("/api/v1/events", data=body, content_type="application/json")
        api_times.append(time.perf_counter() - started)
        assert response.status_code == 200 and response.json()["stored"] == BATCH
        tickets = dict(Ticket.objects.filter(source="bench", ticket_id__startswith=tag + "-")
                       .values_list("ticket_id", "pk"))
        now = datetime.now(UTC)
        rows = [(tickets[e["ticket_id"]], "copy", e["event_id"], e["timestamp"], e["kind"],
                 e["status"], e["priority"], e["team"], json.dumps(e["payload"]), now)
                for e in batch]
        columns = ("ticket_id, source, event_id, timestamp, kind, status, priority, team, "
                   "payload, received_at")
        with connection.cursor() as cursor:
            started = time.perf_counter()
            with transaction.atomic():
                with cursor.cursor.copy(
                        f"COPY measurement_ticketevent ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            copy_times.append(time.perf_counter() - started)
            cursor.execute("DELETE FROM measurement_ticketevent WHERE source = 'copy'")
        # The same intake without clocks (the service the endpoint calls, clocks=False): what
        # storing the events and deriving their tickets costs before any clock.
        bare = [{**e, "source": "bare"} for e in events(BATCH, f"b{run}")]
        started = time.perf_counter()
        result = ingest_events(json.loads(json.dumps(bare)), now=datetime.now(UTC), user=user,
                               clocks=False)
        bare_times.append(time.perf_counter() - started)
        assert result.stored == BATCH
    clocks = Clock.objects.filter(ticket__source="bench").count()
    return _median(api_times), _median(copy_times), _median(bare_times), clocks


def _median(times):
    """The median, leaving out the first run (it warms up the URL conf and caches)."""
    times = sorted(times[1:] or times)
    return times[len(times) // 2]


def bench_imports():
    from accord.measurement.importers import importer_for, run_import

    results = []
    for name, options in (("bpi2013_incidents.xes.gz", {}),
                          ("uci_incident_event_log.csv.gz", {"tz": "America/Sao_Paulo"})):
        started = time.perf_counter()
        summary = run_import(importer_for(REAL / name, **options), now=datetime.now(UTC),
                             create_missing=True)
        results.append((name, summary.rows, summary.tickets, time.perf_counter() - started))
    return results


def synthetic_tickets(n):
    """n tickets with created + resolved events; every tenth waits for the user a while."""
    from django.db import transaction

    from accord.measurement.models import Ticket, TicketEvent
    from accord.measurement.services._bulk import (
        allocate_ids,
        insert_ignoring_conflicts,
        refresh_statistics,
    )

    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    received = datetime.now(UTC)
    step = 20_000
    for lo in range(0, n, step):
        count = min(step, n - lo)
        ids = allocate_ids(Ticket, count)
        tickets, rows = [], []
        for pk, i in zip(ids, range(lo, lo + count), strict=True):
            opened = t0 + timedelta(seconds=37 * i)
            resolved = opened + timedelta(minutes=30 + (i * 7919) % 6000)
            tickets.append((pk, "synthetic", f"S{i}", "Resolved", "P3", "", "", "", "resolved",
                            opened, resolved, resolved, 4 if i % 10 == 0 else 2, {}))
            rows.append((pk, "synthetic", f"S{i}-1", opened, "created", "New", "P3"))
            if i % 10 == 0:
                rows.append((pk, "synthetic", f"S{i}-2", opened + timedelta(minutes=10),
                             "status_changed", "Awaiting User", None))
                rows.append((pk, "synthetic", f"S{i}-3", opened + timedelta(minutes=20),
                             "status_changed", "Active", None))
            rows.append((pk, "synthetic", f"S{i}-9", resolved, "resolved", "Resolved", None))
        with transaction.atomic():
            insert_ignoring_conflicts(Ticket, (
                "id", "source", "ticket_id", "status", "priority", "impact", "urgency", "type",
                "stage", "opened_at", "resolved_at", "last_event_at", "event_count", "payload"),
                tickets)
            insert_ignoring_conflicts(TicketEvent, (
                "ticket", "source", "event_id", "timestamp", "kind", "status", "priority",
                "payload", "received_at"), [(*r, {}, received) for r in rows])
    refresh_statistics(Ticket, TicketEvent)


def bench_recompute(n, workers=1):
    from accord.measurement.models import Clock
    from accord.measurement.recompute import recompute

    started = time.perf_counter()
    synthetic_tickets(n)
    loaded = time.perf_counter() - started
    from accord.measurement.models import Ticket

    since = datetime(2024, 12, 31, tzinfo=UTC)
    Ticket.objects.exclude(source="synthetic").update(opened_at=None)  # only the synthetic
    started = time.perf_counter()
    tickets, clocks = recompute(datetime(2026, 1, 1, tzinfo=UTC), since=since, workers=workers)
    seconds = time.perf_counter() - started
    assert Clock.objects.filter(ticket__source="synthetic").count() == clocks
    return loaded, tickets, clocks, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=9)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes for the recompute (accord recompute --workers); "
                             "default: one per CPU")
    parser.add_argument("--parts", default="api,imports,recompute",
                        help="which measures to run (comma-separated)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    server, url = _common.scratch_database(SCRATCH, "postgresql://postgres@127.0.0.1:5432/test")
    try:
        _common.setup_django(url)
        _common.corporate_sla()
        api = bench_api(args.batches) if "api" in parts else None
        imports = bench_imports() if "imports" in parts else []
        recomputed = (bench_recompute(args.tickets, args.workers) if "recompute" in parts
                      else None)
    finally:
        _common.drop_scratch(server, SCRATCH)
    rows = []
    if api:
        api, copy, bare, clocks = api
        ratio = copy / api
        rows += [
            ("POST /events, 10,000 events/batch, clocks kept current",
             f"{BATCH / api:,.0f} events/s", "", "",
             f"{api * 1000:,.0f} ms/batch; {clocks:,} clocks"),
            ("raw COPY of the same rows (floor)", f"{BATCH / copy:,.0f} events/s", "", "",
             f"{copy * 1000:,.0f} ms/batch"),
            ("API / COPY ratio", f"{ratio:.0%}", ">= 25 %", _met(ratio >= 0.25),
             "median of batches 2..K"),
            ("  for comparison: the same intake without clocks", f"{BATCH / bare:,.0f} events/s",
             "", "", f"{bare * 1000:,.0f} ms/batch = {copy / bare:.0%} of COPY "
             "(ingest_events(clocks=False))"),
        ]
    for name, n_rows, n_tickets, secs in imports:
        rows.append((f"accord import {name}", f"{secs:.1f} s", "< 15 s", _met(secs < 15),
                     f"{n_rows:,} rows, {n_tickets:,} tickets"))
    if recomputed:
        loaded, tickets, clocks, seconds = recomputed
        per_million = seconds / tickets * 1_000_000
        rows.append((f"recompute {tickets:,} synthetic tickets, {args.workers} worker(s)",
                     f"{seconds:.1f} s", "", "",
                     f"{clocks:,} clocks, {tickets / seconds:,.0f} tickets/s "
                     f"(loading them took {loaded:.1f} s)"))
        rows.append(("recompute, per 1,000,000 tickets" + (" (extrapolated)"
                                                           if tickets < 1_000_000 else ""),
                     f"{per_million:,.0f} s", "< 60 s", _met(per_million < 60), ""))
    head = ("measure", "result", "goal", "met", "detail")
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(4)]
    for row in (head, *rows):
        print(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:<{widths[2]}}  "
              f"{row[3]:<{widths[3]}}  {row[4]}".rstrip())


def _met(ok: bool) -> str:
    return "yes" if ok else "NO"


if __name__ == "__main__":
    main()
