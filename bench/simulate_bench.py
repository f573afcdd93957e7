"""What-if replay benchmark: prints one table from one run on PostgreSQL.

    python bench/simulate_bench.py [--tickets N] [--workers W]

Creates its own scratch database ``accord_planning_bench`` on the server of DATABASE_URL
(default postgresql://postgres@127.0.0.1:5432/planning), migrates it, and drops it at the
end; it never touches any other database. N synthetic tickets (default 1,000,000; created +
resolved, every tenth waiting for the user a while) spread over 2025, under a corporate SLA
(resolution 3 days, response 4 hours). Measures:

1. ``accord recompute`` of the N tickets (it stores the clocks: the baseline's figures);
2. the replay of the signed version over 2025-01-01..2025-12-31 (the engine over every
   ticket's events and 12 monthly compliance reports from the replayed rows: issue 13's
   goal), and the whole ``simulate`` call, which also reads the baseline (the 12
   stored-clock reports) while the replay's processes work;
3. the same for a draft whose resolution target is tighter (1 day), with its breaches
   beside the baseline's.

Goal (issue 13): 12 months of 1 M tickets replayed in under 30 s.
"""

import argparse
import os
import time
from datetime import UTC, datetime, timedelta

import _common

SCRATCH = "accord_planning_bench"
YEAR = 365 * 86400


def corporate_sla():
    """The shared corporate SLA (objective 95 %) and a draft v2 whose resolution target is
    1 day."""
    from accord.agreements import versions

    sla, version, slm = _common.corporate_sla(objective_percent="95")
    now = datetime(2025, 1, 1, tzinfo=UTC)
    draft = versions.new_draft_version(sla, by=slm, now=now)
    tighter = draft.targets.get(metric="resolution")
    versions.update_target(tighter, by=slm, now=now, duration_seconds=86400)
    sla.refresh_from_db()
    return sla, version, draft, slm


def synthetic_tickets(n):
    """n tickets opened evenly over 2025 with created + resolved events; every tenth waits
    for the user a while."""
    from django.db import transaction

    from accord.measurement.models import Ticket, TicketEvent
    from accord.measurement.services._bulk import (
        allocate_ids,
        insert_ignoring_conflicts,
        refresh_statistics,
    )

    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    spacing = YEAR / n
    received = datetime.now(UTC)
    step = 20_000
    for lo in range(0, n, step):
        count = min(step, n - lo)
        ids = allocate_ids(Ticket, count)
        tickets, rows = [], []
        for pk, i in zip(ids, range(lo, lo + count), strict=True):
            opened = t0 + timedelta(seconds=spacing * i)
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


def timed_simulation(version, now, slm):
    """simulate() of ``version`` over 2025, then its two parts timed alone: the replay (the
    engine over every ticket's events and 12 reports from the replayed rows) and the
    baseline (12 reports of the stored clocks, read in one pass), which simulate() reads
    while the replay's processes work."""
    from accord.planning import simulate as sim
    from accord.reporting.kpis import keeping_stored_kpis

    agreement = version.agreement
    months = sim.months_between(datetime(2025, 1, 1).date(), datetime(2025, 12, 31).date(),
                                agreement.reporting_zone)
    started = time.perf_counter()
    result = sim.simulate(version, "2025-01-01", "2025-12-31", now=now, by=slm)
    total = time.perf_counter() - started
    with keeping_stored_kpis():
        started = time.perf_counter()
        sim.replayed_months(version, months, now)
        replay = time.perf_counter() - started
        started = time.perf_counter()
        sim.baseline(agreement, months, now)
        baseline = time.perf_counter() - started
    return result, total, replay, baseline


def breaches(months, metric):
    return sum(r["breached"] for m in months for r in m["targets"] if r["metric"] == metric)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes for the recompute (accord recompute --workers)")
    args = parser.parse_args()
    server, url = _common.scratch_database(
        SCRATCH, "postgresql://postgres@127.0.0.1:5432/planning")
    rows = []
    try:
        _common.setup_django(url)
        from accord.measurement.models import Clock
        from accord.measurement.recompute import recompute

        sla, version, draft, slm = corporate_sla()
        started = time.perf_counter()
        synthetic_tickets(args.tickets)
        loaded = time.perf_counter() - started
        now = datetime(2026, 1, 10, tzinfo=UTC)
        started = time.perf_counter()
        tickets, clocks = recompute(now, workers=args.workers)
        recomputed = time.perf_counter() - started
        assert Clock.objects.count() == clocks
        rows.append((f"accord recompute, {tickets:,} tickets, {args.workers} worker(s)",
                     f"{recomputed:.1f} s", "", "",
                     f"{clocks:,} clocks stored (loading the tickets took {loaded:.1f} s)"))
        same, total, replay, baseline = timed_simulation(version, now, slm)
        for a, b in zip(same["months"], same["baseline"]["months"], strict=True):
            assert [(r["met"], r["breached"]) for r in a["targets"]] == [
                (r["met"], r["breached"]) for r in b["targets"]], a["period_label"]
        from django.conf import settings

        workers = settings.ACCORD_REPLAY_WORKERS
        rows.append((f"replay of v1 (in force) over 2025, {workers} process(es)",
                     f"{replay:.1f} s", "< 30 s", "yes" if replay < 30 else "NO",
                     "equal to the stored figures month by month"))
        rows.append(("  the whole simulate call", f"{total:.1f} s", "", "",
                     f"the replay, and the baseline (12 stored-clock reports, {baseline:.1f} s "
                     "alone) read while the replay's processes work"))
        tight, total, replay, baseline = timed_simulation(draft, now, slm)
        rows.append(("replay of draft v2 (resolution 1 day) over 2025", f"{replay:.1f} s",
                     "< 30 s", "yes" if replay < 30 else "NO",
                     f"resolution breaches {breaches(tight['months'], 'resolution'):,} "
                     f"vs {breaches(tight['baseline']['months'], 'resolution'):,} stored"))
        rows.append(("  the whole simulate call", f"{total:.1f} s", "", "",
                     f"baseline alone {baseline:.1f} s"))
        per_million = replay / tickets * 1_000_000
        rows.append(("replay, per 1,000,000 tickets" + (" (extrapolated)" if tickets
                                                        < 1_000_000 else ""),
                     f"{per_million:.1f} s", "< 30 s", "yes" if per_million < 30 else "NO",
                     f"recompute: {recomputed / tickets * 1_000_000:.1f} s per 1,000,000"))
    finally:
        _common.drop_scratch(server, SCRATCH)
    head = ("measure", "result", "goal", "met", "detail")
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(4)]
    for row in (head, *rows):
        print(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:<{widths[2]}}  "
              f"{row[3]:<{widths[3]}}  {row[4]}".rstrip())


if __name__ == "__main__":
    main()
