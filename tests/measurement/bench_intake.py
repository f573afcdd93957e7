"""Intake benchmark (prints figures; not part of the test pass — belongs in bench/).

    python tests/measurement/bench_intake.py api [N] [RUNS]   POST /events vs COPY
    python tests/measurement/bench_intake.py imports          the real BPI and UCI logs

Without DATABASE_URL it runs on a fresh SQLite database in a temporary directory. With
DATABASE_URL it needs a PostgreSQL database whose name starts with "test" or "bench"
(it writes there). The COPY baseline sends the same rows straight into the event table, in
the text format psql's \\copy uses, and commits like the intake does (then they are deleted).
"""

import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REAL = Path(__file__).resolve().parents[2].parent / "shared/data/itsm"


def setup():
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        os.environ["ACCORD_DATA_DIR"] = tempfile.mkdtemp(prefix="accord-bench-")
    elif not url.rsplit("/", 1)[-1].startswith(("test", "bench")):
        sys.exit("DATABASE_URL must name a database called test* or bench*: it is written to")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def events(n, tag, t0=datetime(2025, 1, 1, tzinfo=UTC)):
    """n events of n/5 tickets: created, then four status changes each."""
    statuses = ["New", "Active", "Awaiting User", "Active", "Resolved"]
    return [{"source": "bench", "event_id": f"{tag}-{i}", "ticket_id": f"{tag}-T{i // 5}",
             "timestamp": (t0 + timedelta(minutes=i)).isoformat(),
             "kind": "created" if i % 5 == 0 else "status_changed",
             "status": statuses[i % 5], "priority": "P3", "team": f"Team {(i // 5) % 20}",
             "payload": {"category": f"cat {i % 7}", "n": i}} for i in range(n)]


def bench_api(n=10_000, runs=5):
    from django.db import connection, transaction
    from django.test import Client

    from accord.accounts import services as accounts
    from accord.catalogue.models import Team
    from accord.measurement.models import Ticket, TicketEvent
    from accord.measurement.services._bulk import refresh_statistics

    for k in range(20):
        Team.objects.get_or_create(name=f"Team {k}")
    refresh_statistics(Ticket, TicketEvent)  # as autovacuum would, on a live database
    user = accounts.create_user(f"bench{time.time_ns()}", role="analyst")
    _, raw = accounts.create_token(user, "bench", "write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    api_times, copy_times = [], []
    for _ in range(runs):
        tag = str(time.time_ns())
        batch = events(n, tag)
        body = json.dumps(batch)
        started = time.perf_counter()
        response = client.post("/api/v1/events", data=body, content_type="application/json")
        api_times.append(time.perf_counter() - started)
        assert response.status_code == 200 and response.json()["stored"] == n
        if connection.vendor != "postgresql":
            continue
        tickets = dict(Ticket.objects.filter(source="bench", ticket_id__startswith=tag)
                       .values_list("ticket_id", "pk"))
        now = datetime.now(UTC)
        rows = [(tickets[e["ticket_id"]], "copy", e["event_id"], e["timestamp"], e["kind"],
                 e["status"], e["priority"], e["team"], json.dumps(e["payload"]), now)
                for e in batch]
        columns = ("ticket_id, source, event_id, timestamp, kind, status, priority, team, "
                   "payload, received_at")
        with connection.cursor() as cursor:
            started = time.perf_counter()
            with transaction.atomic():  # committed, like the intake's own transaction
                with cursor.cursor.copy(
                        f"COPY measurement_ticketevent ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            copy_times.append(time.perf_counter() - started)
            cursor.execute("DELETE FROM measurement_ticketevent WHERE source = 'copy'")
    best = min(api_times)
    print(f"{connection.vendor}: POST /events, {n:,} events: best of {runs} {best * 1000:.0f} ms"
          f" ({n / best:,.0f} events/s); all runs {[round(t * 1000) for t in api_times]} ms")
    if copy_times:
        copy_best = min(copy_times)
        # The first run warms up (URL conf, connections): leave it out of the median.
        ratios = sorted(c / a for c, a in zip(copy_times[1:], api_times[1:], strict=True))
        print(f"  COPY of the same rows: best {copy_best * 1000:.0f} ms; intake throughput = "
              f"{copy_best / best:.0%} of COPY (best against best; median of the runs' "
              f"ratios {ratios[len(ratios) // 2]:.0%})")


def bench_imports():
    from django.db import connection

    from accord.measurement.importers import importer_for, run_import

    for name, options in (("bpi2013_incidents.xes.gz", {}),
                          ("uci_incident_event_log.csv.gz", {"tz": "America/Sao_Paulo"})):
        importer = importer_for(REAL / name, **options)
        summary = run_import(importer, now=datetime.now(UTC), create_missing=True)
        print(f"{connection.vendor}: {name}: {summary.rows:,} rows, {summary.tickets:,} "
              f"tickets, {summary.stored:,} stored in {summary.seconds:.1f} s")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "api"
    setup()
    if what == "imports":
        bench_imports()
    else:
        bench_api(*(int(a) for a in sys.argv[2:4]))
