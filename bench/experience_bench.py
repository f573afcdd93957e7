"""Benchmark: XLA values for many agreements and months over many feedback rows, beside the
bare SQL aggregate, on PostgreSQL.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/experience \\
        python bench/experience_bench.py [--agreements 200] [--months 12] [--rows 1000000]

Uses DATABASE_URL's database as it is (migrates it), writes its synthetic rows under the
source "bench" and agreements named "bench …", and deletes them at the end. Each agreement
is a signed SLA with one experience target (CSAT average at least 4); feedback rows (70 %
CSAT 1-5, 20 % NPS 0-10, 10 % complaints) are spread uniformly over the agreements and the
year 2025 and loaded with COPY.

Measured, for every agreement × month:
- ``experience_rows``: the rows the compliance function adds (target lookup included),
- ``measure_values``: all six measures of the ``experience`` KPI,
- the bare SQL aggregate the CSAT row needs (AVG + COUNT over the feedback-agreement links),
and one GROUP BY computing every agreement × month at once. Prints totals, per-call p50/p95
and the ratios.
"""

import argparse
import io
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from statistics import quantiles

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
YEAR_END = datetime(2026, 1, 1, tzinfo=UTC)


def setup_agreements(n: int, now):
    from accord.agreements.models import Agreement, AgreementVersion, Target
    from accord.catalogue.models import Customer, Service

    customer, _ = Customer.objects.get_or_create(name="bench customer")
    service, _ = Service.objects.get_or_create(name="bench service",
                                               defaults={"status": "live"})
    agreements = Agreement.objects.bulk_create([
        Agreement(name=f"bench {i:03d}", kind="sla", structure="customer_based",
                  status="active", customer=customer, created_at=now) for i in range(n)])
    versions = AgreementVersion.objects.bulk_create([
        AgreementVersion(agreement=a, number=1, status="draft", effective_from=YEAR_START,
                         created_at=now) for a in agreements])
    Target.objects.bulk_create([
        Target(version=v, metric="experience", measure="csat_average", threshold=4,
               direction="at_least", min_responses=5) for v in versions])
    AgreementVersion.objects.filter(pk__in=[v.pk for v in versions]).update(
        status="agreed", frozen_at=now)
    return agreements, service, customer


def load_feedback(rows: int, agreements, service, customer, now) -> None:
    from django.db import connection

    rng = np.random.default_rng(2025)
    start, span = YEAR_START.timestamp(), (YEAR_END - YEAR_START).total_seconds()
    stamps = start + rng.random(rows) * span
    kinds = rng.choice(np.array(["csat", "nps", "complaint"]), rows, p=[0.7, 0.2, 0.1])
    csat, nps = rng.integers(1, 6, rows), rng.integers(0, 11, rows)
    owners = rng.integers(0, len(agreements), rows)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM experience_feedback")
        first = cursor.fetchone()[0] + 1
    created = now.isoformat()
    feedback, links = io.StringIO(), io.StringIO()
    for i in range(rows):
        kind = kinds[i]
        score, scale = (csat[i], 5) if kind == "csat" else (nps[i], 10) if kind == "nps" \
            else ("\\N", "\\N")
        at = datetime.fromtimestamp(stamps[i], UTC).isoformat()
        feedback.write(f"{first + i}\tbench\tb{i}\t\\N\t\t\t{service.pk}\t{customer.pk}\t{at}\t"
                       f"{kind}\t{score}\t{scale}\t\t\t\t-\t\\N\t{created}\n")
        links.write(f"{first + i}\t{agreements[owners[i]].pk}\t{at}\t{kind}\t{score}\t"
                    f"{scale}\t{service.pk}\n")
    columns = ("id, source, feedback_id, ticket_id, ticket_source, ticket_ref, service_id, "
               "customer_id, at, kind, score, scale, text, respondent, channel, "
               "content_hash, entered_by_id, created_at")
    raw = connection.connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY experience_feedback ({columns}) FROM STDIN") as copy:
            copy.write(feedback.getvalue())
        with cursor.copy("COPY experience_feedbackagreement (feedback_id, agreement_id, at, "
                         "kind, score, scale, service_id) FROM STDIN") as copy:
            copy.write(links.getvalue())
        cursor.execute("SELECT setval(pg_get_serial_sequence('experience_feedback', 'id'), "
                       "(SELECT MAX(id) FROM experience_feedback))")
        cursor.execute("ANALYZE experience_feedback")
        cursor.execute("ANALYZE experience_feedbackagreement")
    raw.commit()


BARE = """
SELECT AVG(score * 5.0 / scale), COUNT(*) FROM experience_feedbackagreement
WHERE agreement_id = %s AND kind = 'csat' AND at >= %s AND at < %s
"""
GROUPED = """
SELECT agreement_id, date_trunc('month', at AT TIME ZONE 'UTC') AS month,
       AVG(score * 5.0 / scale), COUNT(*)
FROM experience_feedbackagreement
WHERE agreement_id = ANY(%s) AND kind = 'csat' AND at >= %s AND at < %s
GROUP BY 1, 2
"""


def compliance_rows(agreement, period, now) -> list[dict]:
    """What compliance_report runs for an agreement's experience rows."""
    from accord.experience.rows import experience_rows
    from accord.reporting.compliance import in_force_targets, versions_in

    versions = versions_in([agreement], period.start_utc, period.end_utc)
    effective = in_force_targets(versions, period.start_utc, period.end_utc)
    return experience_rows([agreement], versions, effective, period, now)


def bare_sql(connection, agreement, period) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(BARE, [agreement.pk, period.start_utc, period.end_utc])
        return cursor.fetchone()


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def summary(name: str, seconds: list[float]) -> float:
    total = sum(seconds)
    p50, p95 = (quantiles(seconds, n=100)[i] for i in (49, 94))
    print(f"{name:<34} total {total:8.2f} s   p50 {p50 * 1000:7.2f} ms   "
          f"p95 {p95 * 1000:7.2f} ms")
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agreements", type=int, default=200)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accord.agreements.models import Agreement
    from accord.experience.models import Feedback
    from accord.experience.xla import measure_values
    from accord.reporting.periods import Period

    if connection.vendor != "postgresql":
        sys.exit("run it on PostgreSQL (DATABASE_URL=postgresql://...)")
    call_command("migrate", verbosity=0)
    now = datetime(2026, 2, 1, tzinfo=UTC)
    cleanup(Agreement, Feedback)
    try:
        started = time.perf_counter()
        agreements, service, customer = setup_agreements(args.agreements, now)
        load_feedback(args.rows, agreements, service, customer, now)
        print(f"setup: {args.agreements} agreements, {args.rows:,} feedback rows in "
              f"{time.perf_counter() - started:.1f} s")
        months = [Period("month", 2025, m + 1) for m in range(args.months)]
        rows_t, kpi_t, bare_t = [], [], []
        checked = 0
        for agreement in Agreement.objects.filter(pk__in=[a.pk for a in agreements]):
            for period in months:
                found, bare = [], []
                rows_t.append(timed(lambda a=agreement, p=period, out=found: out.extend(
                    compliance_rows(a, p, now))))
                kpi_t.append(timed(lambda a=agreement, p=period: measure_values(
                    [a.pk], p.start_utc, p.end_utc, now)))
                bare_t.append(timed(lambda a=agreement, p=period, out=bare: out.extend(
                    bare_sql(connection, a, p))))
                (row,) = found
                assert row["responses"] == bare[1], (row, bare)
                assert (row["value"] is None) if not bare[1] else abs(
                    row["value"] - float(bare[0])) <= 0.005 + 1e-9, (row, bare)
                checked += 1
        ids = [a.pk for a in agreements]
        with connection.cursor() as cursor:
            grouped = timed(lambda: cursor.execute(GROUPED, [ids, YEAR_START, YEAR_END]))
            groups = len(cursor.fetchall())
        print(f"{checked} agreement-months, values equal to the bare SQL in every one")
        a = summary("experience_rows (compliance)", rows_t)
        k = summary("measure_values (6 measures, KPI)", kpi_t)
        b = summary("bare SQL aggregate (CSAT)", bare_t)
        print(f"{'one GROUP BY, all at once':<34} total {grouped:8.2f} s   ({groups} groups)")
        print(f"ratio experience_rows / bare SQL: {a / b:.2f}x; KPI block / bare SQL: "
              f"{k / b:.2f}x")
    finally:
        cleanup(Agreement, Feedback)


def cleanup(Agreement, Feedback) -> None:  # noqa: N803 - the model classes
    from accord.agreements.models import AgreementVersion, Target
    from accord.catalogue.models import Customer, Service
    from accord.experience.models import FeedbackAgreement

    bench = Agreement.objects.filter(name__startswith="bench ")
    FeedbackAgreement.objects.filter(agreement__in=bench)._raw_delete(Feedback.objects.db)
    Feedback.objects.filter(source="bench")._raw_delete(Feedback.objects.db)
    Target.objects.filter(version__agreement__in=bench)._raw_delete(Target.objects.db)
    AgreementVersion.objects.filter(agreement__in=bench)._raw_delete(
        AgreementVersion.objects.db)
    bench.delete()
    Service.objects.filter(name="bench service").delete()
    Customer.objects.filter(name="bench customer").delete()


if __name__ == "__main__":
    main()
