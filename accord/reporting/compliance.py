"""Period compliance of an agreement: the one function the API, the CLI, pages, exports,
``/metrics``, reviews (frozen figures) and the what-if replay all call.

``compliance_report(agreement, period, now=...)`` returns exactly the JSON of
``GET /api/v1/reports/compliance``. Per target and version in force during the period: met,
breached, excluded (approved exclusions among the breached: 0 until the reviews issue adds
them), open, ended, compliance (net of exclusions, and raw), whether the objective was met,
the shortfall and the credit due; availability per target and service; the OLA/UC attribution
of breached business time; the period's KPIs; credits with the agreement's cap.
"""

import math
from collections import Counter, defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from accord.agreements.choices import DURATION_METRICS, Metric
from accord.agreements.choices import Period as PeriodKind
from accord.agreements.inheritance import effective_targets_many
from accord.agreements.models import Agreement, AgreementVersion, Target
from accord.agreements.validation import require_now
from accord.experience.rows import experience_rows
from accord.experience.watermelon import watermelon_flags

from . import credits
from .aggregate import (
    BREACHED,
    ENDED,
    EXCLUDED,
    MET,
    OPEN,
)
from .availability import availability_rows
from .memory import memory_aggregate
from .periods import MONTHS_IN, Period
from .stored import stored_aggregate
from .versions import in_force_bounds, versions_in

HUNDRED = Decimal(100)
PLACES = Decimal("0.01")


def agreement_chain(agreement: Agreement, include_children: bool) -> list[Agreement]:
    """The agreement, and with ``include_children`` every agreement below it in the
    multi-level chain (children, grandchildren, ...)."""
    found, frontier = [agreement], [agreement.pk]
    seen = {agreement.pk}
    while include_children and frontier:
        children = list(Agreement.objects.filter(parent_id__in=frontier)
                        .exclude(pk__in=seen).select_related("calendar", "customer"))
        found.extend(children)
        frontier = [c.pk for c in children]
        seen.update(frontier)
    return found


def month_bounds(period: Period) -> list[datetime]:
    """The UTC edges of the months of ``period`` (the aggregation's buckets)."""
    months = period.split(PeriodKind.MONTH)
    return [m.start_utc for m in months] + [period.end_utc]


def percent(numerator: int, denominator: int) -> float | None:
    if denominator <= 0:
        return None
    value = (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(PLACES, ROUND_HALF_UP)
    return float(value)


def objective_met(met: int, counted: int, objective: Decimal) -> bool | None:
    """Exact: met / counted >= objective %, judged before rounding."""
    if counted <= 0:
        return None
    return Decimal(met) * HUNDRED >= objective * Decimal(counted)


def shortfall(met: int, counted: int, objective: Decimal) -> int:
    """How many more clocks would have had to meet the target for the objective."""
    if counted <= 0:
        return 0
    needed = math.ceil(objective * Decimal(counted) / HUNDRED)
    return max(0, needed - met)


def _objective(target: Target) -> Decimal:
    return Decimal(target.objective_percent) if target.objective_percent is not None else HUNDRED


def in_force_targets(versions, start: datetime, end: datetime) -> dict[int, list]:
    """Per version, its effective targets (inherited ones included) where the period meets
    it: read once, shared by the clock rows and the availability rows."""
    found = effective_targets_many([(v, in_force_bounds(v, start, end)[0]) for v in versions])
    return {v.pk: targets for v, targets in zip(versions, found, strict=True)}


def _row_targets(agreements, versions, start, end, counted_keys, effective=None
                 ) -> list[tuple]:
    """(target, version) of each row: the clock targets of every version in force during the
    period (inherited ones included), plus any that clocks were counted for."""
    effective = effective if effective is not None else in_force_targets(versions, start, end)
    pairs: dict[tuple, tuple] = {}
    for version in versions:
        for found in effective[version.pk]:
            if found.target.metric in DURATION_METRICS:
                pairs.setdefault((found.target.pk, version.pk), (found.target, version))
    missing = {key for key in counted_keys if key not in pairs}
    if missing:
        targets = Target.objects.select_related("service").in_bulk({t for t, _ in missing})
        versions_by_id = AgreementVersion.objects.select_related("agreement").in_bulk(
            {v for _, v in missing})
        for t, v in missing:
            if t in targets and v in versions_by_id:
                pairs[(t, v)] = (targets[t], versions_by_id[v])
    rows = list(pairs.values())
    order = {a.pk: i for i, a in enumerate(agreements)}
    metrics = list(Metric.values)
    rows.sort(key=lambda tv: (order.get(tv[1].agreement_id, 0), tv[1].number,
                              metrics.index(tv[0].metric), tv[0].ticket_type,
                              tv[0].priority, tv[0].position, tv[0].pk))
    return rows


def target_key(target: Target) -> dict:
    return {"metric": target.metric,
            "service": target.service.name if target.service_id else None,
            "type": target.ticket_type or None, "priority": target.priority or None}


def _row(target, version, agreement, counts, held, period, months) -> tuple[dict, Decimal | None]:
    """One target row (see the module docstring) and its credit due (None: no credit)."""
    total = Counter()
    for bucket in range(len(months)):
        total.update({k: n for k, n in counts.get(bucket, {}).items() if k != OPEN})
    last = counts.get(len(months) - 1, {})
    met, breached, excluded = total[MET], total[BREACHED], total[EXCLUDED]
    counted = met + breached - excluded
    objective = _objective(target)
    missed, judged_per = None, None
    if MONTHS_IN[target.period] <= period.months:
        missed = 0
        step = MONTHS_IN[target.period]
        for first in range(0, len(months), step):
            part = Counter()
            for bucket in range(first, first + step):
                part.update(counts.get(bucket, {}))
            judged = part[MET] + part[BREACHED] - part[EXCLUDED]
            if objective_met(part[MET], judged, objective) is False:
                missed += 1
    else:
        judged_per = target.period
    due, note = credits.credit_due(target, agreement, breaches=breached - excluded,
                                   missed=missed, judged_per=judged_per)
    attribution = {holder: round(seconds, 3) for holder, seconds in sorted(held.items())}
    row = {
        "target": target.pk, "version": version.number,
        "agreement": version.agreement.reference,
        "name": str(target), "metric": target.metric,
        "service": target.service.name if target.service_id else None,
        "type": target.ticket_type or None, "priority": target.priority or None,
        "key": target_key(target),
        "duration_seconds": target.duration_seconds,
        "objective_percent": float(objective), "objective_period": target.period,
        "met": met, "breached": breached, "excluded": excluded,
        "open": last.get(OPEN, 0), "ended": total[ENDED],
        "compliance_percent": percent(met, counted),
        "compliance_percent_raw": percent(met, met + breached),
        "objective_met": objective_met(met, counted, objective),
        "objectives_missed": missed,
        "shortfall": shortfall(met, counted, objective),
        "credit_basis": target.credit_basis,
        "credit_due": credits.money(due), "credit_note": note,
        "attribution": attribution,
    }
    return row, due


def compliance_report(agreement: Agreement, period: Period | str, *, now: datetime,
                      include_children: bool = False, rows=None, aggregate=None) -> dict:
    """The compliance JSON of ``agreement`` for ``period`` (a ``Period`` or "2025-03",
    "2025-Q1", "2025"), read in the agreement's reporting zone, as of ``now``.

    ``rows``: in-memory ``ClockRow``s (e.g. from an engine replay) to aggregate instead of
    the stored clocks; the result is the same JSON. ``aggregate``: the aggregation already
    made over the period's month buckets, instead of reading it: of in-memory rows
    (``memory_aggregates``, ``Aggregate.merged``; pass ``rows=()`` with it, so that nothing
    is read of the stored clocks) or of the stored ones (``stored_aggregates``).
    """
    from .kpis import report_kpis  # kpis reads the report's rows

    now = require_now(now)
    tz = agreement.reporting_zone
    period = (Period.parse(period, tz=tz) if isinstance(period, str) else period.in_zone(tz))
    agreements = agreement_chain(agreement, include_children)
    target_rows, availability, agg, versions, dues = _figures(agreements, period, now, rows,
                                                              aggregate)
    total, uncapped = credits.totals(agreement, dues, period.months)
    own_versions = sorted({v.number for v in versions if v.agreement_id == agreement.pk})
    return {
        "agreement": agreement.reference,
        "agreement_id": agreement.pk,
        "name": agreement.name,
        "kind": agreement.kind,
        "versions": own_versions,
        "period": period.as_json(),
        "period_label": period.label,
        "period_kind": period.kind,
        "include_children": include_children,
        "targets": target_rows,
        "availability": availability,
        "attribution": attribution_table(agg),
        "kpis": report_kpis(agreements, period, now, target_rows, availability, agg,
                            rows=rows),
        "watermelon": watermelon_flags(agreement, period, target_rows, availability, now,
                                       agreement_ids=[a.pk for a in agreements]),
        "credits_total": total,
        "credits_uncapped": uncapped,
        "credit_cap_percent": (float(agreement.credit_cap_percent)
                               if agreement.credit_cap_percent is not None else None),
        "credit_direction": credits.direction(agreement),
        "currency": agreement.currency or None,
        "as_of": now.isoformat(),
    }


def period_rows(agreements, period: Period, now: datetime, rows=None) -> tuple:
    """(target rows, availability rows, aggregate) of several agreements over one period."""
    target_rows, availability, agg, _, _ = _figures(list(agreements), period, now, rows)
    return target_rows, availability, agg


def _figures(agreements, period, now, rows, aggregate=None) -> tuple:
    ids = [a.pk for a in agreements]
    bounds = month_bounds(period)
    if aggregate is not None:
        agg = aggregate
    elif rows is None:
        agg = stored_aggregate(ids, bounds, now)
    else:
        agg = memory_aggregate([r for r in rows if r.agreement_id in ids], bounds, now)
    versions = versions_in(agreements, period.start_utc, period.end_utc)
    by_pair: dict[tuple, dict] = defaultdict(dict)
    for (target_id, version_id, bucket), counts in agg.counts.items():
        by_pair[(target_id, version_id)][bucket] = counts
    held: dict[tuple, dict] = defaultdict(lambda: defaultdict(float))
    for (target_id, version_id, _, holder), seconds in agg.held.items():
        held[(target_id, version_id)][holder] += seconds
    months = bounds[:-1]
    target_rows, dues = [], []
    effective = in_force_targets(versions, period.start_utc, period.end_utc)
    for target, version in _row_targets(agreements, versions, period.start_utc,
                                        period.end_utc, by_pair.keys(), effective):
        row, due = _row(target, version, version.agreement, by_pair.get(
            (target.pk, version.pk), {}), held.get((target.pk, version.pk), {}), period, months)
        target_rows.append(row)
        if due is not None:
            dues.append(due)
        elif credits.unit_amount(target, version.agreement)[0] is not None:
            dues.append(Decimal(0))  # it can earn a credit, judged over a longer period
    availability, owed = availability_rows(agreements, versions, period, now, effective,
                                           bounds=bounds)
    dues += owed
    target_rows += experience_rows(agreements, versions, effective, period, now)
    return target_rows, availability, agg, versions, dues


def attribution_table(agg) -> list[dict]:
    """Breached business time per team and supplier (the clocks' attribution): which party
    held the time of the breaches. Holders read "team NAME", "supplier NAME", "unassigned"."""
    seconds: dict[str, float] = defaultdict(float)
    for (_, _, _, holder), value in agg.held.items():
        seconds[holder] += value
    largest = Counter()
    for (_, holder), n in agg.top.items():
        largest[holder] += n
    table = []
    for holder in sorted(set(seconds) | set(largest)):
        role, _, name = holder.partition(" ")
        if holder == "unassigned":
            role, name = "unassigned", ""
        table.append({"holder": holder, "role": role, "name": name,
                      "business_seconds": round(seconds.get(holder, 0.0), 3),
                      "breaches_mostly_held": largest.get(holder, 0)})
    return table
