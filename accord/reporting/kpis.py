"""The KPI block: period-scoped, per agreement in its report (``report_kpis``), across
agreements in ``/reports/kpis`` (``kpis``). Exactly the keys of ``KPI_KEYS``.

Percentiles are ``percentile_cont`` over the business seconds of the clocks counted in the
period (met or breached): PostgreSQL's own aggregate, and on SQLite the same definition
(linear interpolation between the two ranks around p·(n−1)) read with two ordered rows.
"""

from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db.models import Q

from accord.agreements.choices import AgreementKind, Metric
from accord.agreements.models import TERMINAL, Agreement
from accord.agreements.queries import LIVE, next_review_due
from accord.catalogue.models import Service
from accord.experience.rows import experience_kpi
from accord.measurement.choices import ClockState
from accord.measurement.clock_queries import AT_RISK_PERCENT
from accord.measurement.models import Clock

from .aggregate import percentile

KPI_KEYS = (
    "targets_met_percent", "objectives_missed", "breaches_by_priority", "breaches_by_metric",
    "breaches_by_party", "services_with_current_sla_percent", "agreements_review_overdue",
    "time_to_agree_days_median", "experience", "response_p50_seconds", "response_p90_seconds",
    "resolution_p50_seconds", "resolution_p90_seconds", "open_at_risk",
)
PARTIES = ("internal", "supplier", "customer", "unattributed")


def _round(value):
    return None if value is None else round(float(value), 3)


def duration_percentiles(agg) -> dict:
    """response_/resolution_ p50 and p90 business seconds of the clocks counted in the
    period, as the aggregation computed them (``percentile_cont``)."""
    out = {}
    for metric in (Metric.RESPONSE, Metric.RESOLUTION):
        p50, p90 = agg.percentiles.get(metric, (None, None))
        out[f"{metric}_p50_seconds"] = _round(p50)
        out[f"{metric}_p90_seconds"] = _round(p90)
    return out


def party_of(holder: str) -> str:
    if holder.startswith("team "):
        return "internal"
    if holder.startswith("supplier "):
        return "supplier"
    return "unattributed"  # UNASSIGNED, or a holder of no known kind


def breaches(agg, kinds=None) -> tuple[dict, dict, dict]:
    by_priority, by_metric = Counter(), Counter()
    for (_, kind, metric, priority), n in agg.breaches.items():
        if kinds and kind not in kinds:
            continue
        by_priority[priority or "none"] += n
        by_metric[metric] += n
    by_party = dict.fromkeys(PARTIES, 0)
    for (_, holder), n in agg.top.items():
        by_party[party_of(holder)] += n
    # A party a person confirmed (breach investigation) replaces the attribution's guess.
    for (_, holder), n in agg.confirmed_top.items():
        by_party[party_of(holder)] -= n
    for (_, party), n in agg.confirmed.items():
        by_party[party if party in PARTIES else "unattributed"] += n
    return dict(sorted(by_priority.items())), dict(sorted(by_metric.items())), by_party


def objectives(target_rows, availability_rows) -> tuple[float | None, int]:
    # Experience (XLA) rows have their own KPI (``experience``).
    verdicts = [r["objective_met"] for r in target_rows if r.get("objective_met") is not None
                and r.get("metric") != Metric.EXPERIENCE]
    verdicts += [r["met"] for r in availability_rows if r.get("met") is not None]
    missed = sum(1 for v in verdicts if v is False)
    if not verdicts:
        return None, missed
    return round(100 * (len(verdicts) - missed) / len(verdicts), 2), missed


def services_with_current_sla_percent(services, at: datetime) -> float | None:
    """Share of ``services`` (a queryset, or their pks) covered by a live SLA (agreed,
    active or under review) with a signed version in force at ``at`` (an SLA listing no
    services covers all of them)."""
    ids = (set(services) if isinstance(services, set | frozenset | list | tuple)
           else set(services.order_by().values_list("pk", flat=True).distinct()))
    if not ids:
        return None
    current = Agreement.objects.filter(
        kind=AgreementKind.SLA, status__in=LIVE,
        versions__frozen_at__isnull=False, versions__effective_from__lte=at,
    ).filter(Q(versions__effective_to__isnull=True) | Q(versions__effective_to__gt=at))
    # One query: the services the current SLAs list (None: an SLA that lists none).
    covered = set(current.order_by().values_list("services", flat=True).distinct())
    if None in covered:
        return 100.0
    return round(100 * len(ids & covered) / len(ids), 2)


def with_versions(agreement_ids) -> list[Agreement]:
    """The agreements with all their versions (two queries), for the two KPIs below."""
    return list(Agreement.objects.filter(pk__in=list(agreement_ids)).order_by()
                .prefetch_related("versions"))


def time_to_agree_days_median(agreements) -> float | None:
    """Median days from an agreement's creation (its first draft) to its first sign-off
    (``agreements``: from ``with_versions``)."""
    spans = []
    for agreement in agreements:
        signed = [v.frozen_at for v in agreement.versions.all() if v.frozen_at is not None]
        if signed:
            spans.append((min(signed) - agreement.created_at).total_seconds() / 86400)
    value = percentile(spans, 0.5)
    return None if value is None else round(value, 2)


def reviews_overdue(agreements, at: datetime) -> int:
    """How many of ``agreements`` (from ``with_versions``; live, with a signed version) were
    past their review date at ``at`` (``agreements.queries.next_review_due``)."""
    return sum(1 for a in agreements if a.status not in TERMINAL
               and any(v.frozen_at is not None and v.review_due is not None
                       and v.review_due < at for v in a.versions.all())
               and (due := next_review_due(a, at)) is not None and due < at)


def open_at_risk(agreement_ids, period, now: datetime, kinds=None) -> int | None:
    """Running clocks at or above the at-risk percent now, for a period that contains now
    (None for a period that is over or has not begun)."""
    if not (period.start_utc <= now < period.end_utc):
        return None
    clocks = Clock.objects.filter(agreement_id__in=list(agreement_ids),
                                  state=ClockState.RUNNING, percent__gte=AT_RISK_PERCENT)
    if kinds:
        clocks = clocks.filter(kind__in=kinds)
    return clocks.filter(Q(due_at__isnull=True) | Q(due_at__gt=now)).count()


_kept: ContextVar[dict | None] = ContextVar("accord_kpis_kept", default=None)


@contextmanager
def keeping_stored_kpis():
    """Within this block, the KPIs that come from the database alone (not from the clocks
    counted: services covered, reviews overdue, time to agree, experience) are read once
    per agreements, services, period and ``now``: the what-if replay shows each month twice,
    replayed and as stored, and those figures are the same in both."""
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


def _stored_kpis(ids, services, period, now) -> dict:
    kept = _kept.get()
    if kept is not None:
        listed = (tuple(sorted(services)) if isinstance(services, set | frozenset | list | tuple)
                  else str(services.query))
        key = (tuple(ids), listed, period.start_utc, period.end_utc, now)
    if kept is not None and key in kept:
        return kept[key]
    at = min(period.end_utc, now)
    loaded = with_versions(ids)
    found = {
        "services_with_current_sla_percent": services_with_current_sla_percent(services, at),
        "agreements_review_overdue": reviews_overdue(loaded, at),
        "time_to_agree_days_median": time_to_agree_days_median(loaded),
        "experience": experience_kpi(ids, period, now),
    }
    if kept is not None:
        kept[key] = found
    return found


def block(*, agreements, services, period, now, target_rows, availability_rows, agg,
          rows=None, kinds=None) -> dict:
    ids = [a.pk for a in agreements]
    met_percent, missed = objectives(target_rows, availability_rows)
    by_priority, by_metric, by_party = breaches(agg, kinds)
    out = {
        "targets_met_percent": met_percent,
        "objectives_missed": missed,
        "breaches_by_priority": by_priority,
        "breaches_by_metric": by_metric,
        "breaches_by_party": by_party,
        **_stored_kpis(ids, services, period, now),
        **duration_percentiles(agg),
        "open_at_risk": open_at_risk(ids, period, now, kinds) if rows is None else None,
    }
    return {key: out[key] for key in KPI_KEYS}


def report_kpis(agreements, period, now, target_rows, availability_rows, agg, *,
                rows=None) -> dict:
    """The KPIs of one agreement's report (its own clocks; services: its services)."""
    # Its services (of the whole chain) if it lists any, else all: one query for the common
    # case.
    root = agreements[0].pk
    listed = list(Service.objects.filter(agreements__in=[a.pk for a in agreements])
                  .order_by().values_list("pk", "agreements").distinct())
    services = ({pk for pk, _ in listed} if any(a == root for _, a in listed)
                else Service.objects.all())
    return block(agreements=agreements, services=services, period=period, now=now,
                 target_rows=target_rows, availability_rows=availability_rows, agg=agg,
                 rows=rows)


def kpis(agreements, period, now: datetime, services=None) -> dict:
    """The KPIs across ``agreements`` (the SLAs in force during ``period``: the promises to
    customers; OLA and UC figures are in their own reports), by the same aggregation."""
    from .compliance import period_rows

    target_rows, availability_rows, agg = period_rows(agreements, period, now)
    return block(agreements=agreements, services=services if services is not None
                 else Service.objects.all(), period=period, now=now, target_rows=target_rows,
                 availability_rows=availability_rows, agg=agg, kinds=[AgreementKind.SLA])
