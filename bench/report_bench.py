"""Benchmark: the reporting pages and documents on PostgreSQL with 1 M stored clocks.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/report_out python bench/report_bench.py \
        [--agreements 200] [--tickets 500000] [--requests 20] [--pdfs 200] [--workers 2] \
        [--only-pdfs]

Synthetic world (made once, reused while its size matches): N customers, each with one SLA
of two 24x7 targets (response 1 h, resolution 8 h, objective 95 %), and --tickets tickets
spread over the last 365 days, each with a response and a resolution clock (2 clocks a
ticket: 1 M clocks by default): ~90 % met, ~8 % breached, the rest still open; ticket
priorities P1-P4. Rows are written with COPY; the database is DATABASE_URL's, migrated first.

Each figure is printed beside the bare SQL aggregate it needs (one hand-written GROUP BY
over the same clocks) and the ratio of the two:

- dashboard: GET / as a service level manager, p50 and p95 over --requests requests (the
  first, cold, reported apart); bare: met/breached per month over the 12 months;
- one monthly report as JSON (``compliance_report``) and as PDF, beside two bare sides:
  the old one (met/breached per target of that agreement and month: a fraction of what the
  report shows) and the complete one (``BARE_REPORT``: hand-written SQL for every figure
  the JSON report contains, run back to back — counts, open, ended and excluded per target,
  breaches by kind, metric and priority, duration percentiles, attribution and largest
  holders, confirmed parties, the targets in force, the KPIs about agreements and services,
  the experience measures: feedback, tickets opened, reopen rate);
- the KPI block across all SLAs for the month (``kpis``); bare: percentile_cont of the
  response and resolution business seconds counted in the month;
- all monthly PDFs (--pdfs agreements) the way ``accord report --all`` writes them: this
  process reads each report's figures while --workers processes lay the PDFs out
  (``service_report.render_many``). --only-pdfs skips the dashboard, JSON and KPI figures.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _common
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")

PREFIX = "Bench customer"


def setup_django():
    import django

    django.setup()


def world_size():
    from accord.agreements.models import Agreement
    from accord.measurement.models import Clock

    return (Agreement.objects.filter(name__startswith="Bench SLA").count(),
            Clock.objects.count())


def wipe():
    """Empty the whole database (it must be one kept for this benchmark)."""
    from django.core.management import call_command

    print("wiping the previous bench world ...", flush=True)
    call_command("flush", interactive=False, verbosity=0)


def make_agreements(n: int, now: datetime):
    from accord.accounts.models import User
    from accord.agreements import services as agreements
    from accord.agreements import versions
    from accord.catalogue.models import Customer, Service

    slm = User.objects.create(username="bench-slm", role="service_level_manager",
                              is_staff=True)
    shop = Service.objects.create(name="Bench Shop", status="live")
    start = now - timedelta(days=400)
    made = []
    for i in range(n):
        customer = Customer.objects.create(name=f"{PREFIX} {i:03d}")
        sla = agreements.create_agreement(
            by=slm, now=start, name=f"Bench SLA {i:03d}", kind="sla",
            structure="customer_based", customer=customer, services=[shop],
            effective_from=start, monthly_charge="10000.00", currency="EUR")
        version = sla.latest_version()
        response = versions.add_target(version, by=slm, now=start, metric="response",
                                       duration_seconds=3600, objective_percent=95,
                                       credit_amount="100.00", credit_currency="EUR")
        resolution = versions.add_target(version, by=slm, now=start, metric="resolution",
                                         duration_seconds=8 * 3600, objective_percent=95)
        _common.sign(version, slm, start)
        sla.refresh_from_db()
        if sla.status != "agreed":
            agreements.transition(sla, "agreed", by=slm, now=start, reason="signed")
        agreements.transition(sla, "active", by=slm, now=start, reason="in effect")
        version.refresh_from_db()
        made.append((sla, version, customer, response, resolution))
    return slm, shop, made


def copy_rows(table: str, columns: list[str], rows):
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def make_clocks(made, shop, tickets: int, now: datetime):
    """``tickets`` tickets over the last 365 days, two clocks each, written with COPY."""
    from accord.measurement.models import Ticket

    rng = np.random.default_rng(9)
    n_agreements = len(made)
    agreement_of = rng.integers(0, n_agreements, tickets)
    opened = now - timedelta(days=365) + np.asarray(
        rng.uniform(0, 365 * 86400, tickets), dtype="timedelta64[s]").astype(object)
    priority = rng.choice(["P1", "P2", "P3", "P4"], tickets)
    outcome = rng.uniform(0, 1, (tickets, 2))
    print(f"writing {tickets:,} tickets ...", flush=True)
    t0 = time.perf_counter()
    ticket_cols = ["source", "ticket_id", "status", "priority", "impact", "urgency", "type",
                   "service_id", "customer_id", "stage", "opened_at", "last_event_at",
                   "event_count", "payload"]
    extra = [f.column for f in Ticket._meta.concrete_fields
             if f.column not in ticket_cols and f.column != "id"]

    def ticket_rows():
        for i in range(tickets):
            customer = made[agreement_of[i]][2]
            at = opened[i]
            base = ["bench", f"B{i}", "Resolved", str(priority[i]), "", "", "incident",
                    shop.pk, customer.pk, "resolved", at, at, 2, "{}"]
            yield base + [None] * len(extra)

    copy_rows(Ticket._meta.db_table, ticket_cols + extra, ticket_rows())
    first_id = Ticket.objects.order_by("pk").values_list("pk", flat=True).first()
    print(f"  {time.perf_counter() - t0:.1f} s; writing {2 * tickets:,} clocks ...",
          flush=True)
    t0 = time.perf_counter()
    cols = ["ticket_id", "target_id", "agreement_id", "version_id", "kind", "metric",
            "holder", "cycle", "state", "started_at", "stopped_at", "elapsed_seconds",
            "paused_seconds", "target_seconds", "due_at", "breached_at", "percent",
            "warnings", "next_event_at", "transitions", "segments", "attribution",
            "calendar_id", "calendar_version", "computed_at"]

    def clock_rows():
        for i in range(tickets):
            sla, version, _, response, resolution = made[agreement_of[i]]
            start = opened[i]
            for j, target in enumerate((response, resolution)):
                limit = float(target.duration_seconds)
                due = start + timedelta(seconds=limit)
                u = outcome[i, j]
                if u < 0.90:  # met
                    used = limit * (0.1 + 0.85 * u / 0.90)
                    stop = start + timedelta(seconds=used)
                    state, breached, nxt = "met", None, None
                elif u < 0.98:  # breached and stopped
                    used = limit * (1.05 + 2 * (u - 0.90))
                    stop = start + timedelta(seconds=used)
                    state, breached, nxt = "breached", due, None
                else:  # still running
                    used = max(0.0, min((now - start).total_seconds(), limit * 0.8))
                    stop, state, breached, nxt = None, "running", None, due
                if stop is not None and stop > now:
                    stop, state, breached, nxt = None, "running", None, due
                    used = (now - start).total_seconds()
                attribution = (f'{{"team Service Desk":{used * 0.4:.1f},'
                               f'"team Second Line":{used * 0.6:.1f}}}')
                yield [first_id + i, target.pk, sla.pk, version.pk, "sla", target.metric,
                       "", 1, state, start, stop, used, 0.0, limit, due, breached,
                       min(999.0, 100 * used / limit), "{}", nxt, "[]", "[]", attribution,
                       None, 0, now if state != "running" else start]

    from accord.measurement.models import Clock

    copy_rows(Clock._meta.db_table, cols, clock_rows())
    print(f"  {time.perf_counter() - t0:.1f} s", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE measurement_clock; ANALYZE measurement_ticket")


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    best, result = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        took = time.perf_counter() - t0
        best = took if best is None else min(best, took)
    return best, result


def sql(query: str, params) -> float:
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()
    return timed(run, 3)[0]


BARE_MONTHS = """
SELECT date_trunc('month', COALESCE(breached_at, stopped_at, due_at)) AS m,
       count(*) FILTER (WHERE state = 'met'),
       count(*) FILTER (WHERE state = 'breached' OR (state = 'running' AND due_at <= %s))
FROM measurement_clock
WHERE agreement_id = ANY(%s) AND state <> 'cancelled'
  AND COALESCE(breached_at, stopped_at, due_at) >= %s
  AND COALESCE(breached_at, stopped_at, due_at) < %s
GROUP BY 1"""

BARE_TARGETS = """
SELECT target_id, version_id,
       count(*) FILTER (WHERE state = 'met' AND stopped_at >= %s AND stopped_at < %s),
       count(*) FILTER (WHERE state = 'breached' AND breached_at >= %s AND breached_at < %s),
       count(*) FILTER (WHERE stopped_at IS NULL AND started_at < %s)
FROM measurement_clock
WHERE agreement_id = %s AND started_at < %s AND (stopped_at IS NULL OR stopped_at >= %s)
GROUP BY 1, 2"""

BARE_PERCENTILES = """
SELECT metric, percentile_cont(0.5) WITHIN GROUP (ORDER BY elapsed_seconds),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY elapsed_seconds)
FROM measurement_clock
WHERE agreement_id = ANY(%s) AND state IN ('met', 'breached')
  AND COALESCE(breached_at, stopped_at) >= %s AND COALESCE(breached_at, stopped_at) < %s
GROUP BY 1"""


# Every figure of one monthly JSON report (%(a)s agreement, [%(start)s, %(end)s), as of
# %(now)s), hand-written, one statement per group of figures, run back to back (``bare_report``).
CLOCK_FACTS = """
SELECT c.id, c.target_id, c.version_id, c.kind, c.metric, c.started_at, c.attribution,
       c.ticket_id,
       CASE WHEN c.state = 'met' THEN c.stopped_at
            WHEN c.state = 'breached' THEN c.breached_at
            WHEN c.state = 'ended' THEN COALESCE(c.breached_at, c.stopped_at)
            WHEN c.state = 'running' AND c.due_at <= %(now)s AND c.computed_at < c.due_at
            THEN c.due_at END AS certain_at,
       CASE WHEN c.state = 'met' AND c.stopped_at IS NOT NULL THEN 'met'
            WHEN c.state IN ('breached', 'ended') AND c.breached_at IS NOT NULL THEN 'breached'
            WHEN c.state = 'ended' AND c.stopped_at IS NOT NULL THEN 'ended'
            WHEN c.state = 'running' AND c.due_at <= %(now)s AND c.computed_at < c.due_at
            THEN 'breached' END AS outcome,
       CASE WHEN c.state = 'running' THEN c.target_seconds ELSE c.elapsed_seconds END AS seconds
FROM measurement_clock c
WHERE c.agreement_id = %(a)s AND c.started_at < %(end)s
  AND (c.stopped_at IS NULL OR c.stopped_at >= %(start)s) AND c.state <> 'cancelled'"""
COUNTED = "f.certain_at >= %(start)s AND f.certain_at < %(end)s"

BARE_REPORT = {
    "counts, open, excluded per target": f"""
SELECT f.target_id, f.version_id,
       count(*) FILTER (WHERE f.outcome = 'met' AND {COUNTED}),
       count(*) FILTER (WHERE f.outcome = 'breached' AND {COUNTED}),
       count(*) FILTER (WHERE f.outcome = 'ended' AND {COUNTED}),
       count(*) FILTER (WHERE f.started_at < %(end)s
                        AND (f.certain_at IS NULL OR f.certain_at >= %(end)s)),
       count(*) FILTER (WHERE f.outcome = 'breached' AND {COUNTED} AND EXISTS (
           SELECT 1 FROM measurement_clockexclusion x
           WHERE x.clock_id = f.id AND x.status = 'approved'))
FROM ({CLOCK_FACTS}) f GROUP BY 1, 2""",
    "breaches by kind, metric, priority": f"""
SELECT f.kind, f.metric, t.priority, count(*)
FROM ({CLOCK_FACTS}) f JOIN measurement_ticket t ON t.id = f.ticket_id
WHERE f.outcome = 'breached' AND {COUNTED} GROUP BY 1, 2, 3""",
    "duration percentiles": f"""
SELECT f.metric, percentile_cont(0.5) WITHIN GROUP (ORDER BY f.seconds),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY f.seconds)
FROM ({CLOCK_FACTS}) f
WHERE f.outcome IN ('met', 'breached') AND {COUNTED}
  AND f.metric IN ('response', 'resolution') GROUP BY 1""",
    "attribution and largest holders": f"""
SELECT s.target_id, s.version_id, s.holder, sum(s.seconds),
       count(*) FILTER (WHERE s.n = 1 AND s.seconds > 0)
FROM (SELECT f.target_id, f.version_id, a.key AS holder,
             CAST(CAST(a.value AS TEXT) AS DOUBLE PRECISION) AS seconds,
             row_number() OVER (PARTITION BY f.id
                                ORDER BY CAST(CAST(a.value AS TEXT) AS DOUBLE PRECISION) DESC,
                                a.key) AS n
      FROM ({CLOCK_FACTS}) f CROSS JOIN LATERAL json_each(f.attribution) a
      WHERE f.outcome = 'breached' AND {COUNTED}) s
GROUP BY 1, 2, 3""",
    "confirmed parties": f"""
SELECT b.party, count(*) FROM ({CLOCK_FACTS}) f
JOIN measurement_breachinvestigation b ON b.clock_id = f.id
WHERE f.outcome = 'breached' AND {COUNTED} AND b.party <> '' GROUP BY 1""",
    "targets of the versions in force": """
SELECT t.*, v.number, v.effective_from, v.effective_to, s.name
FROM agreements_target t JOIN agreements_agreementversion v ON v.id = t.version_id
LEFT JOIN catalogue_service s ON s.id = t.service_id
WHERE v.agreement_id = %(a)s AND v.frozen_at IS NOT NULL AND v.effective_from < %(end)s""",
    "KPI: services with a current SLA": """
SELECT count(DISTINCT s.service_id),
       count(DISTINCT s.service_id) FILTER (WHERE s.service_id IN (
           SELECT x.service_id FROM agreements_agreement_services x
           JOIN agreements_agreement g ON g.id = x.agreement_id
           JOIN agreements_agreementversion v ON v.agreement_id = g.id
           WHERE g.kind = 'sla' AND g.status IN ('agreed', 'active', 'under_review')
             AND v.frozen_at IS NOT NULL AND v.effective_from <= %(end)s
             AND (v.effective_to IS NULL OR v.effective_to > %(end)s)))
FROM agreements_agreement_services s WHERE s.agreement_id = %(a)s""",
    "KPI: reviews overdue, time to agree": """
SELECT g.status, g.created_at, g.last_reviewed_at, v.number, v.frozen_at, v.effective_from,
       v.effective_to, v.review_due
FROM agreements_agreement g JOIN agreements_agreementversion v ON v.agreement_id = g.id
WHERE g.id = %(a)s""",
    "experience: feedback measures": """
SELECT count(*) FILTER (WHERE kind = 'csat'),
       sum(score::float * 5 / scale) FILTER (WHERE kind = 'csat'),
       count(*) FILTER (WHERE kind = 'csat' AND score >= scale * 4 / 5.0),
       count(*) FILTER (WHERE kind = 'ces'),
       sum(score::float * 7 / scale) FILTER (WHERE kind = 'ces'),
       count(*) FILTER (WHERE kind = 'nps'), count(*) FILTER (WHERE kind = 'nps' AND score >= 9),
       count(*) FILTER (WHERE kind = 'nps' AND score <= 6),
       count(*) FILTER (WHERE kind = 'complaint')
FROM experience_feedbackagreement
WHERE agreement_id = %(a)s AND at >= %(start)s AND at < %(end)s""",
    "experience: tickets opened (complaints per 100)": """
SELECT count(*) FROM measurement_ticket t
WHERE t.opened_at >= %(start)s AND t.opened_at < %(end)s
  AND t.id IN (SELECT c.ticket_id FROM measurement_clock c WHERE c.agreement_id = %(a)s)""",
    "experience: reopen rate": """
SELECT count(DISTINCT r.ticket_id), count(DISTINCT o.ticket_id)
FROM measurement_ticketevent r
LEFT JOIN measurement_ticketevent o ON o.ticket_id = r.ticket_id AND o.kind = 'reopened'
     AND o.timestamp >= %(start)s AND o.timestamp <= %(now)s
WHERE r.kind = 'resolved' AND r.timestamp >= %(start)s AND r.timestamp < %(end)s
  AND r.ticket_id IN (SELECT c.ticket_id FROM measurement_clock c
                      WHERE c.agreement_id = %(a)s)""",
}


def bare_report(agreement_id: int, start, end, now) -> float:
    """Every statement of ``BARE_REPORT`` back to back (best of 3)."""
    from django.db import connection

    params = {"a": agreement_id, "start": start, "end": end, "now": now}

    def run():
        with connection.cursor() as cursor:
            for query in BARE_REPORT.values():
                cursor.execute(query, params)
                cursor.fetchall()
    return timed(run, 3)[0]


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b > 0 else "-"


def bench_pdfs(slas, month, now: datetime, count: int, workers: int) -> None:
    """One monthly PDF (its figures and its layout apart), then ``count`` of them the way
    ``accord report --all`` writes them."""
    from accord.reporting import service_report
    from accord.reporting.render_pdf import render_pdf

    agreement = slas[0]
    service_report.render(agreement, month, "pdf", now)  # WeasyPrint's imports, fonts, CSS
    took_doc, doc = timed(lambda: service_report.build(agreement, month, now), 3)
    took_pdf, pdf = timed(lambda: render_pdf(doc), 3)
    print(f"monthly report PDF ({agreement.reference} {month.label}): "
          f"{(took_doc + took_pdf) * 1000:.0f} ms ({len(pdf):,} bytes): figures, trend and "
          f"breach list {took_doc * 1000:.0f} ms, layout and PDF {took_pdf * 1000:.0f} ms")
    jobs = [(a, month.in_zone(a.reporting_zone)) for a in slas[:count]]
    t0 = time.perf_counter()
    done = sum(len(content) > 0 for *_, content, _ in
               service_report.render_many(jobs, "pdf", now, workers=workers))
    took = time.perf_counter() - t0
    print(f"{done} monthly PDFs, laid out on {workers} processes: {took:.1f} s "
          f"({took / max(done, 1) * 1000:.0f} ms each; goal < 120 s for 200)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agreements", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--pdfs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only-pdfs", action="store_true",
                        help="only the PDFs: one, then all of them")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database (it is migrated and filled)")
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    agreements, clocks = world_size()
    if agreements != args.agreements or clocks != 2 * args.tickets:
        wipe()
        t0 = time.perf_counter()
        slm, shop, made = make_agreements(args.agreements, now)
        print(f"{args.agreements} agreements in {time.perf_counter() - t0:.1f} s", flush=True)
        make_clocks(made, shop, args.tickets, now)
    from django.db import connection

    # Production runs autovacuum; a bench server may not (then no index-only scan is ever
    # chosen on the freshly copied tables). Vacuum as autovacuum would: no row changes.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) measurement_clock, measurement_ticket")
    from django.test import Client

    from accord.accounts.models import User
    from accord.agreements.models import Agreement
    from accord.reporting import service_report
    from accord.reporting.compliance import compliance_report
    from accord.reporting.kpis import kpis
    from accord.reporting.periods import Period
    from accord.reporting.queries import in_force

    print(f"world: {world_size()[0]} agreements, {world_size()[1]:,} stored clocks")
    slas = list(Agreement.objects.filter(name__startswith="Bench SLA").order_by("pk"))
    ids = [a.pk for a in slas]
    month = Period.containing("month", now).shift(-1)  # last month: complete
    if args.only_pdfs:
        bench_pdfs(slas, month, now, args.pdfs, args.workers)
        return
    year_start = Period.containing("month", now).shift(-11).start_utc

    # Dashboard.
    client = Client()
    client.force_login(User.objects.get(username="bench-slm"))
    cold, response = timed(lambda: client.get("/"))
    assert response.status_code == 200, response.status_code
    samples = []
    for _ in range(args.requests):
        samples.append(timed(lambda: client.get("/"))[0])
    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    bare = sql(BARE_MONTHS, [now, ids, year_start, now])
    print(f"dashboard GET /: cold {cold * 1000:.0f} ms, p50 {p50 * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms (goal < 300; figures kept ACCORD_DASHBOARD_CACHE s) | "
          f"bare 12-month aggregate {bare * 1000:.0f} ms | p95 ratio {ratio(p95, bare)}")
    from django.conf import settings

    settings.ACCORD_DASHBOARD_CACHE = 0
    uncached = sorted(timed(lambda: client.get("/"))[0] for _ in range(3))
    print(f"dashboard GET / with nothing kept: median of 3 {uncached[1] * 1000:.0f} ms | "
          f"ratio to the bare aggregate {ratio(uncached[1], bare)}")

    # One monthly report.
    agreement = slas[0]
    took_json, report = timed(lambda: compliance_report(agreement, month, now=now), 3)
    bare = sql(BARE_TARGETS, [month.start_utc, month.end_utc, month.start_utc, month.end_utc,
                              month.end_utc, agreement.pk, month.end_utc, month.start_utc])
    complete = bare_report(agreement.pk, month.start_utc, month.end_utc, now)
    print(f"monthly report JSON ({agreement.reference} {month.label}, "
          f"{sum(r['met'] + r['breached'] for r in report['targets'])} clocks counted): "
          f"{took_json * 1000:.0f} ms\n"
          f"  old bare side, met/breached per target only: {bare * 1000:.1f} ms | ratio "
          f"{ratio(took_json, bare)}\n"
          f"  complete bare side, every figure of the JSON report in hand-written SQL "
          f"({len(BARE_REPORT)} statements back to back): {complete * 1000:.1f} ms | ratio "
          f"{ratio(took_json, complete)} (goal <= 2x)")
    took_pdf, (pdf, _, _) = timed(lambda: service_report.render(agreement, month, "pdf", now))
    print(f"monthly report PDF: {took_pdf * 1000:.0f} ms ({len(pdf):,} bytes) | ratio to "
          f"the old bare side {ratio(took_pdf, bare)}, to the complete one "
          f"{ratio(took_pdf, complete)}")

    # The KPI block across all SLAs.
    chosen = list(in_force(Agreement.objects.filter(pk__in=ids), month.start_utc,
                           month.end_utc))
    took_kpi, _ = timed(lambda: kpis(chosen, month, now), 1)
    bare = sql(BARE_PERCENTILES, [ids, month.start_utc, month.end_utc])
    print(f"KPI block ({len(chosen)} SLAs, {month.label}): {took_kpi * 1000:.0f} ms | bare "
          f"percentile aggregate {bare * 1000:.0f} ms | ratio {ratio(took_kpi, bare)}")

    bench_pdfs(slas, month, now, args.pdfs, args.workers)


if __name__ == "__main__":
    main()
