"""Connector benchmark: Jira webhooks per second through one ``accord serve`` process,
beside the same changes posted as normalized events to ``/api/v1/events``.

    python bench/connector_bench.py [--tickets N] [--threads T] [--database-url URL]

One ``accord serve --no-worker`` process (waitress, 8 threads) on 127.0.0.1 against
DATABASE_URL (default: the ``connectors`` database on the local PostgreSQL server; it is
migrated, and the rows of this run are left under a source named after the run). A
corporate SLA (response 4 h, resolution 3 days paused while "Waiting for customer") covers
every ticket, so each call keeps clocks current. Each ticket gets five calls: created, into
and out of "Waiting for customer", a priority change, resolved. T client threads post one
call at a time each, keeping their HTTP connection open, first as signed Jira webhooks to
the connector's hook, then as one normalized event per POST to /events (the like-for-like
figure), then as batches of 100 normalized events (the bulk figure).
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _common

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-bench-secret"


def setup(url: str, run: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accord.accounts import services as accounts
    from accord.agreements import services, versions
    from accord.agreements.models import Agreement
    from accord.connectors import services as connectors

    now = datetime.now(UTC)
    admin = accounts.create_user(f"bench-admin-{run}", role="administrator")
    if not Agreement.objects.filter(name="Connector bench").exists():
        sla = services.create_agreement(by=admin, now=now, name="Connector bench", kind="sla",
                                        structure="corporate",
                                        effective_from=datetime(2000, 1, 1, tzinfo=UTC))
        version = sla.latest_version()
        versions.add_target(version, by=admin, now=now, metric="resolution",
                            duration_seconds=3 * 86400,
                            pause_condition={"field": "status",
                                             "in": ["Waiting for customer"]})
        versions.add_target(version, by=admin, now=now, metric="response",
                            duration_seconds=4 * 3600)
        _common.sign(version, admin, now)
    connector = connectors.create_connector(
        by=admin, now=now, kind="jira", name=f"bench {run}", source=f"jira-{run}",
        secret=SECRET, mapping={"fields": {}})
    _, token = accounts.create_token(admin, "bench", "write")
    return connector.pk, token


def jira_calls(tickets: int, t0: datetime):
    """Per ticket: issue created, two status changes, a priority change, resolved."""
    def stamp(minutes):
        return (t0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")

    def issue(i, status, priority, minutes):
        return {"id": str(100000 + i), "key": f"BEN-{i}", "fields": {
            "created": stamp(i), "updated": stamp(minutes), "status": {"name": status},
            "priority": {"name": priority}, "summary": f"bench {i}"}}

    steps = [("Waiting for customer", "Waiting for support", "Medium", 10),
             ("In Progress", "Waiting for customer", "Medium", 70),
             (None, None, "High", 80), ("Resolved", "In Progress", "High", 200)]
    calls = []
    for i in range(tickets):
        calls.append({"webhookEvent": "jira:issue_created",
                      "issue": issue(i, "Waiting for support", "Medium", i)})
        status = "Waiting for support"
        for n, (to, frm, prio, minutes) in enumerate(steps):
            items = ([{"field": "status", "fieldId": "status", "fromString": frm,
                       "toString": to}] if to else
                     [{"field": "priority", "fieldId": "priority", "fromString": "Medium",
                       "toString": prio}])
            status = to or status
            calls.append({"webhookEvent": "jira:issue_updated",
                          "issue": issue(i, status, prio, i + minutes),
                          "changelog": {"id": str(1000000 + i * 10 + n), "items": items}})
    return calls


def normalized(calls, connector, source):
    """The same changes as normalized events (what the connector turns them into)."""
    from accord.connectors.desks import jira

    events = []
    for call in calls:
        _, items = jira.translate(call, connector.mapping)
        for item in items:
            item["source"] = source
            item["event_id"] = "n-" + item["event_id"]
            events.append(item)
    return events


def post_all(port, bodies, headers_for, threads):
    """Post every (path, body) with ``threads`` clients; returns elapsed seconds."""
    queue = list(enumerate(bodies))
    lock = threading.Lock()
    failures = []

    def work():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                _, (path, body) = queue.pop()
            conn.request("POST", path, body=body, headers=headers_for(body))
            answer = conn.getresponse()
            data = answer.read()
            if answer.status != 200:
                failures.append((answer.status, data[:200]))
        conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} calls failed, first: {failures[0]}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--database-url",
                        default=os.environ.get("DATABASE_URL",
                                               "postgresql://postgres@127.0.0.1:5432/connectors"))
    args = parser.parse_args()
    run = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    connector_id, token = setup(args.database_url, run)

    from django.utils import timezone

    from accord.connectors.models import Connector
    from accord.connectors.samples import sign
    from accord.measurement.models import Clock, Ticket

    connector = Connector.objects.get(pk=connector_id)
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": args.database_url, "ACCORD_EMBEDDED_WORKER": "false"}
    server = subprocess.Popen(
        [sys.executable, "-m", "accord.cli", "serve", "--port", str(args.port),
         "--no-worker", "--no-migrate"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=(log := tempfile.TemporaryFile()))
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/health", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    log.seek(0)
                    raise SystemExit("accord serve stopped: "
                                     + log.read().decode()[-2000:]) from None
                time.sleep(0.2)
        t0 = datetime.now(UTC) - timedelta(days=2)
        calls = jira_calls(args.tickets, t0)
        hook = f"/api/v1/hooks/{connector_id}"
        bodies = [(hook, json.dumps(c).encode()) for c in calls]

        def jira_headers(body):
            return {"Content-Type": "application/json",
                    "X-Atlassian-Webhook-Identifier": f"w-{hash(body)}",
                    **sign("jira", SECRET, body, timezone.now())}

        hook_s = post_all(args.port, bodies, jira_headers, args.threads)
        stored_tickets = Ticket.objects.filter(source=connector.source).count()
        clocks = Clock.objects.filter(ticket__source=connector.source).count()
        met = Clock.objects.filter(ticket__source=connector.source, state="met").count()

        auth = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        events = normalized(calls, connector, f"norm-{run}")
        single = [("/api/v1/events", json.dumps(e).encode()) for e in events]
        single_s = post_all(args.port, single, lambda body: auth, args.threads)
        bulk_events = [{**e, "source": f"bulk-{run}"} for e in events]
        batches = [("/api/v1/events", json.dumps(bulk_events[i:i + 100]).encode())
                   for i in range(0, len(bulk_events), 100)]
        bulk_s = post_all(args.port, batches, lambda body: auth, args.threads)
    finally:
        server.terminate()
        server.wait(timeout=30)

    n = len(calls)
    print(f"accord serve (waitress, 8 threads), {args.threads} client threads, "
          f"{args.tickets} tickets x 5 calls = {n} calls, database "
          f"{args.database_url.rsplit('/', 1)[-1]} ({connector.source})")
    print(f"{'path':<44}{'calls':>7}{'seconds':>9}{'calls/s':>9}{'events/s':>10}")
    print(f"{'Jira webhooks -> /hooks/{id} (signed)':<44}{n:>7}{hook_s:>9.1f}"
          f"{n / hook_s:>9.0f}{len(events) / hook_s:>10.0f}")
    print(f"{'normalized, 1 event per POST /events':<44}{len(single):>7}{single_s:>9.1f}"
          f"{len(single) / single_s:>9.0f}{len(events) / single_s:>10.0f}")
    print(f"{'normalized, 100 events per POST /events':<44}{len(batches):>7}{bulk_s:>9.1f}"
          f"{len(batches) / bulk_s:>9.1f}{len(events) / bulk_s:>10.0f}")
    print(f"clocks kept current by the webhooks: {stored_tickets} tickets, {clocks} clocks "
          f"({met} met)")


if __name__ == "__main__":
    main()
