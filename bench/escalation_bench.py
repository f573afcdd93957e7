"""Benchmark: escalation firing from stored SLA clocks on PostgreSQL.

    python bench/escalation_bench.py [--clocks 100000] [--due 20000] [--window 200]
                                     [--deliver 3000]

Creates its own scratch database ``accord_escbench`` next to DATABASE_URL's (default
postgresql://postgres@127.0.0.1:5432/test), migrates it, and drops it at the end.
``--clocks`` running P1 clocks (4 h target, 24x7) are bulk-created; for ``--due`` of them
the 50 % step comes due at a uniformly spread instant inside the next ``--window`` seconds,
for the others an hour or more later (running, but not due: a tick must not read them). The
policy
has steps at 50/75/90/100 % on one signed-webhook channel. An in-process loop runs the
worker's firing unit (``services.fire_due``, ACCORD_FIRING_BATCH clocks per unit) on the
wall clock, sleeping until the next ``next_event_at`` (at most 50 ms) when idle.
Delay = the commit of the unit that wrote a step's outbox row minus the step's due instant.
Deliveries: ``--deliver`` of the notifications are then sent by ``services.deliver_due``
to a webhook receiver on 127.0.0.1 (a threading http.server answering 200).
Finally EXPLAIN ANALYZE of the claim query shows it reads the ``clock_due`` index, not the
running clocks.
"""

import argparse
import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import _common
import numpy as np
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = "accord_escbench"


def scratch_urls(base: str) -> tuple[str, str]:
    parts = urlsplit(base)
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{SCRATCH}"))


def recreate(admin: str, drop_only=False) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {SCRATCH}")


class Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def setup_world(url: str):
    from accord.accounts.models import User
    from accord.agreements import services as agreements
    from accord.agreements import versions
    from accord.catalogue.models import Customer, Service
    from accord.escalation import services

    now = datetime.now(UTC)
    slm = User.objects.create(username="sam", role="service_level_manager")
    acme = Customer.objects.create(name="Acme")
    shop = Service.objects.create(name="Web Shop", status="live")
    sla = agreements.create_agreement(
        by=slm, now=now, name="Acme Web Shop", kind="sla", structure="customer_based",
        customer=acme, services=[shop], effective_from=now - timedelta(days=30))
    target = versions.add_target(sla.latest_version(), by=slm, now=now, metric="resolution",
                                 priority="P1", duration_seconds=4 * 3600)
    version = sla.latest_version()
    _common.sign(version, slm, now)
    hook = services.create_channel(by=None, name="Receiver", kind="webhook", now=now,
                                   config={"url": url, "secret": "b" * 32, "timeout": 5})
    services.create_policy(by=slm, name="P1", now=now, agreement_id=sla.pk, steps=[
        {"threshold": p, "level": lv, "channel_ids": [hook.pk]}
        for p, lv in ((50, "L1"), (75, "L2"), (90, "L3"), (100, "L4"))])
    return sla, target, version, acme, shop


def bulk_clocks(n: int, due: int, window: float, sla, target, version, acme, shop) -> tuple:
    """Insert the tickets and clocks, then shift the clocks in one UPDATE so the first due
    instant falls a few seconds after the inserts finished."""
    from django.db import connection

    from accord.measurement.models import Clock, Ticket

    now = datetime.now(UTC)
    rng = np.random.default_rng(5)
    offsets = np.concatenate([np.sort(rng.uniform(0, window, due)),
                              window + 3600 + rng.uniform(0, 3600, n - due)])
    half = timedelta(hours=2)
    tickets = Ticket.objects.bulk_create(
        [Ticket(source="bench", ticket_id=f"B{i}", priority="P1", service=shop, customer=acme,
                opened_at=now - half, last_event_at=now) for i in range(n)],
        batch_size=5000)
    rows = []
    for ticket, off in zip(tickets, offsets, strict=True):
        due50 = now + timedelta(seconds=float(off))
        started = due50 - half
        elapsed = (now - started).total_seconds()
        rows.append(Clock(
            ticket=ticket, target=target, agreement=sla, version=version, kind="sla",
            metric="resolution", cycle=1, state="running", started_at=started,
            elapsed_seconds=elapsed, paused_seconds=0, target_seconds=4 * 3600,
            due_at=started + 2 * half, percent=elapsed / 144, warnings={},
            next_event_at=due50, computed_at=now))
    Clock.objects.bulk_create(rows, batch_size=5000)
    shift = (datetime.now(UTC) - now).total_seconds() + 10
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE measurement_clock SET started_at = started_at + %(s)s, "
            "due_at = due_at + %(s)s, next_event_at = next_event_at + %(s)s, "
            "elapsed_seconds = elapsed_seconds - %(x)s, percent = (elapsed_seconds - %(x)s) / 144",
            {"s": timedelta(seconds=shift), "x": shift})
    first = now + timedelta(seconds=shift)
    if datetime.now(UTC) > first:
        print("warning: the setup overran the first due instant; early delays are inflated")
    return first, first + timedelta(seconds=window)


def fire_loop(until: datetime, expected: int) -> tuple[dict, int, float]:
    from accord.escalation.models import Escalation
    from accord.escalation.services import fire_due, next_clock_event_at

    committed: dict[datetime, float] = {}
    units = 0
    busy = 0.0
    while True:
        now = datetime.now(UTC)
        started = time.perf_counter()
        n = fire_due(now)
        if n:
            committed[now] = time.time()
            busy += time.perf_counter() - started
            units += 1
            continue
        if now > until + timedelta(seconds=5):
            break
        nxt = next_clock_event_at()
        wait = 0.05 if nxt is None else min(0.05, max(0.0, (nxt - now).total_seconds()))
        time.sleep(wait)
        if nxt is None and Escalation.objects.count() >= expected:
            break
    return committed, units, busy


def delays(committed: dict) -> np.ndarray:
    from accord.escalation.models import Escalation

    out = []
    for at, started, threshold in Escalation.objects.values_list(
            "at", "clock__started_at", "step__threshold").iterator(chunk_size=20000):
        due = started + timedelta(seconds=4 * 3600 * threshold / 100)
        out.append(committed[at] - due.timestamp())
    return np.array(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clocks", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=20_000)
    parser.add_argument("--window", type=float, default=200.0)
    parser.add_argument("--deliver", type=int, default=3000)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    admin, url = scratch_urls(base)
    recreate(admin)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        call_command("migrate", verbosity=0)
        world = setup_world(f"http://127.0.0.1:{server.server_address[1]}/hook")
        t = time.perf_counter()
        first, last = bulk_clocks(args.clocks, args.due, args.window, *world)
        print(f"setup: {args.clocks:,} running clocks bulk-created in "
              f"{time.perf_counter() - t:.1f} s; {args.due:,} of them have their 50 % step due "
              f"from {first:%H:%M:%S} over {args.window:g} s ({args.due / args.window:,.0f} "
              f"steps/s), the rest an hour or more later")
        from django.db import transaction

        from accord.escalation.services.firing import claim_query

        midway = first + timedelta(seconds=args.window / 2)
        with transaction.atomic(), connection.cursor() as cursor:
            sql, params = claim_query(midway, 50).query.sql_with_params()
            cursor.execute("ANALYZE")
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
            plan = [r[0] for r in cursor.fetchall()]
        clock_lines = [line.strip() for line in plan if "measurement_clock" in line]
        print("the worker's claim query half-way through the window (EXPLAIN ANALYZE; "
              "the small catalogue tables it joins are seq-scanned): measurement_clock read by")
        print("\n".join(f"    {line}" for line in clock_lines))
        print("    " + plan[-1].strip())

        committed, units, busy = fire_loop(last, args.due)
        d = delays(committed)
        from accord.escalation.models import Escalation, Notification

        print(f"fired: {len(d):,} steps ({Escalation.objects.count():,} escalations, "
              f"{Notification.objects.count():,} outbox rows) in {units:,} units; "
              f"firing units busy {busy:.1f} s of the {args.window:g} s window")
        print(f"delay due -> outbox row committed: p50 {np.percentile(d, 50) * 1000:.0f} ms, "
              f"p99 {np.percentile(d, 99) * 1000:.0f} ms, max {d.max() * 1000:.0f} ms")

        from accord.escalation.services import deliver_due

        t = time.perf_counter()
        sent = 0
        while sent < args.deliver:
            got = deliver_due(datetime.now(UTC), min(100, args.deliver - sent), "bench")
            if not got:
                break
            sent += got
        took = time.perf_counter() - t
        ok = Notification.objects.filter(status="delivered").count()
        print(f"delivered: {ok:,} of {sent:,} attempted in {took:.1f} s = {sent / took:,.0f} "
              f"deliveries/s (signed webhook to 127.0.0.1, one worker)")
    finally:
        server.shutdown()
        connection.close()
        recreate(admin, drop_only=True)


if __name__ == "__main__":
    main()
