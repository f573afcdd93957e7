"""Compliance over the last N periods (the 12-period trend of pages and exports), from one
aggregation whose buckets are the periods themselves."""

from datetime import datetime

from accord.agreements.validation import require_now

from .aggregate import BREACHED, EXCLUDED, MET
from .compliance import (
    _objective,
    _row_targets,
    agreement_chain,
    objective_met,
    percent,
    target_key,
    versions_in,
)
from .counts import stored_counts
from .memory import memory_aggregate
from .periods import Period


def compliance_trend(agreement, period: Period | str, *, now: datetime, count: int = 12,
                     include_children: bool = False, rows=None) -> dict:
    """Per target and version, met / breached / compliance / objective met in each of the
    ``count`` periods ending with ``period`` (same kind, the agreement's reporting zone).
    Series of different versions share a ``key`` so a chart can join them."""
    now = require_now(now)
    tz = agreement.reporting_zone
    period = Period.parse(period, tz=tz) if isinstance(period, str) else period.in_zone(tz)
    periods = [period.shift(i - count + 1) for i in range(count)]
    bounds = [p.start_utc for p in periods] + [period.end_utc]
    agreements = agreement_chain(agreement, include_children)
    ids = [a.pk for a in agreements]
    if rows is None:
        agg = stored_counts(ids, bounds, now)  # the counts are all a trend shows
    else:
        agg = memory_aggregate([r for r in rows if r.agreement_id in ids], bounds, now)
    versions = versions_in(agreements, bounds[0], bounds[-1])
    keys = {(t, v) for t, v, _ in agg.counts}
    series = []
    for target, version in _row_targets(agreements, versions, bounds[0], bounds[-1], keys):
        objective = _objective(target)
        points = []
        for i, p in enumerate(periods):
            counts = agg.counts.get((target.pk, version.pk, i), {})
            met, breached = counts.get(MET, 0), counts.get(BREACHED, 0)
            counted = met + breached - counts.get(EXCLUDED, 0)
            in_force = any(lo < p.end_utc and hi > p.start_utc for lo, hi in version.in_force)
            points.append({"period": p.label, "in_force": in_force, "met": met,
                           "breached": breached,
                           "compliance_percent": percent(met, counted),
                           "objective_met": objective_met(met, counted, objective)})
        series.append({"target": target.pk, "version": version.number,
                       "agreement": version.agreement.reference, "name": str(target),
                       "key": target_key(target), "objective_percent": float(objective),
                       "points": points})
    return {"agreement": agreement.reference, "time_zone": tz,
            "periods": [p.label for p in periods], "series": series}


def kpi_trend(agreement, period: Period | str, *, now: datetime, count: int = 12) -> list[dict]:
    """The agreement's KPI block in each of the ``count`` periods ending with ``period``:
    ``[{"period": "2025-03", "kpis": {...}}, ...]``, oldest first."""
    from .compliance import compliance_report

    now = require_now(now)
    tz = agreement.reporting_zone
    period = Period.parse(period, tz=tz) if isinstance(period, str) else period.in_zone(tz)
    return [{"period": p.label, "kpis": compliance_report(agreement, p, now=now)["kpis"]}
            for p in (period.shift(i - count + 1) for i in range(count))]
