"""The dashboard's service level figures: compliance per agreement this month with traffic
lights, a 12-month trend of SLA clocks met, breaches by priority, clocks at risk now,
escalations waiting for acknowledgement and agreements that have lapsed.

Every figure says what it counts: SLA, OLA or UC; a **breach** is one clock over its target,
an objective **missed** is a target whose compliance fell below its objective. All of them go
through the reporting app's one aggregation (``reporting.compliance.period_rows`` and
``reporting.aggregate``), scoped by ``visible_to``.
"""

import hashlib
from collections import Counter
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q

from accord.accounts.models import AuditEntry
from accord.agreements.choices import AgreementKind, AgreementStatus
from accord.escalation import queries as escalation_queries
from accord.measurement.choices import ClockState
from accord.measurement.clock_queries import AT_RISK_PERCENT, clocks_visible_to
from accord.measurement.models import Clock
from accord.reporting import charts
from accord.reporting.aggregate import BREACHED, MET
from accord.reporting.breaches import breached_clocks
from accord.reporting.document import period_title
from accord.reporting.overview import month_rows
from accord.reporting.periods import Period
from accord.reporting.stored import counted_clocks, stored_clocks

KIND_SHORT = {AgreementKind.SLA: "SLA", AgreementKind.OLA: "OLA", AgreementKind.UC: "UC"}
IN_EFFECT = (AgreementStatus.ACTIVE, AgreementStatus.UNDER_REVIEW)
_SEVERITY = {"missed": 0, "edge": 1, "met": 2, "no_data": 3}
# An agreement's light, in words (a target "missed its objective"; an agreement has several).
AGREEMENT_WORDS = {"met": "every objective met", "edge": "met, within 1 point",
                   "missed": "an objective missed", "no_data": "no data"}
SHOWN_AGREEMENTS = 15
TREND_MONTHS = 12


def _agreement_light(rows: list[dict]) -> str:
    """The worst light among an agreement's targets and availability rows."""
    lights = [r["light"] for r in rows]
    known = [x for x in lights if x != "no_data"]
    return min(known, key=_SEVERITY.get) if known else "no_data"


def compliance_by_agreement(agreements, now: datetime) -> dict:
    """This month's compliance of each agreement in force (in its reporting zone)."""
    month, live, targets_of, availability_of = month_rows(agreements, now)
    rows_of = {a.reference: targets_of.get(a.reference, []) + [
        {**r, "breached": 0} for r in availability_of.get(a.reference, [])] for a in live}
    table = []
    for agreement in live:
        rows = [r for r in rows_of.get(agreement.reference, [])]
        state = _agreement_light(rows)
        counts = Counter(r["light"] for r in rows)
        percents = [r["compliance_percent"] for r in rows
                    if r.get("compliance_percent") is not None]
        table.append({
            "agreement": agreement, "kind": KIND_SHORT[agreement.kind], "light": state,
            "light_words": AGREEMENT_WORDS[state],
            "light_svg": charts.traffic_light(state, AGREEMENT_WORDS[state]),
            "met": counts["met"] + counts["edge"], "missed": counts["missed"],
            "no_data": counts["no_data"],
            "breaches": sum(int(r.get("breached") or 0) for r in rows),
            "lowest": min(percents) if percents else None,
        })
    table.sort(key=lambda r: (_SEVERITY[r["light"]], r["kind"], r["agreement"].pk))
    totals = {kind: {"missed": 0, "met": 0, "no_data": 0} for kind in KIND_SHORT.values()}
    for row in table:
        for key in ("missed", "met", "no_data"):
            totals[row["kind"]][key] += row[key]
    return {"month": month, "month_title": period_title(month), "rows": table,
            "shown": table[:SHOWN_AGREEMENTS], "objective_totals": totals}


def sla_trend(agreements, now: datetime) -> dict:
    """SLA clocks met, as a percent of SLA clocks counted (met + breached), per UTC month
    over the last 12 months, across the visible SLAs; and this month's SLA breaches by
    priority. Two GROUP BYs with the aggregation's own definitions (``counted_clocks``)."""
    current = Period.containing("month", now)
    months = [current.shift(i) for i in range(-(TREND_MONTHS - 1), 1)]
    bounds = [m.start_utc for m in months] + [current.end_utc]
    ids = list(agreements.filter(kind=AgreementKind.SLA).values_list("pk", flat=True))
    met, breached = Counter(), Counter()
    by_priority = Counter()
    if ids:
        for row in (counted_clocks(stored_clocks(ids, bounds), bounds, now)
                    .values("bucket", "outcome").annotate(n=Count("id"))):
            if row["outcome"] == MET:
                met[row["bucket"]] += row["n"]
            elif row["outcome"] == BREACHED:
                breached[row["bucket"]] += row["n"]
        edges = bounds[-2:]
        for row in (counted_clocks(stored_clocks(ids, edges), edges, now)
                    .filter(outcome=BREACHED).values("ticket__priority")
                    .annotate(n=Count("id"))):
            by_priority[row["ticket__priority"] or "none"] += row["n"]
    points = [charts.Point(m.label, round(100 * met[i] / (met[i] + breached[i]), 2)
                           if met[i] + breached[i] else None) for i, m in enumerate(months)]
    priorities = sorted(by_priority.items())
    return {
        "chart": charts.trend_chart(points, None, title="SLA clocks met per month (UTC), "
                                    "percent of SLA clocks counted", width=420, height=150),
        "points": points,
        "by_priority": priorities,
        "by_priority_chart": charts.bar_chart(
            [(p, float(n)) for p, n in priorities],
            title=f"SLA breaches by priority, {period_title(current)} (UTC)"),
    }


def breaches_by_kind(agreements, now: datetime) -> dict:
    """Breaches (clocks over target) this UTC month per agreement kind."""
    month = Period.containing("month", now)
    ids = list(agreements.values_list("pk", flat=True))
    counts = dict(breached_clocks(ids, month.start_utc, month.end_utc, now).order_by()
                  .values_list("kind").annotate(n=Count("id")))
    return {KIND_SHORT[k]: counts.get(k, 0) for k in KIND_SHORT}


def open_by_kind(user) -> dict:
    """Clocks not yet stopped (running, paused, or breached and still open), per kind."""
    # Only running, paused and (still open) breached clocks lack a stop: the state index
    # finds them without reading every stopped clock.
    counts = dict(clocks_visible_to(user).filter(
        state__in=(ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED),
        stopped_at__isnull=True).order_by().values_list("kind").annotate(n=Count("id")))
    return {KIND_SHORT[k]: counts.get(k, 0) for k in KIND_SHORT}


def at_risk_by_kind(user) -> dict:
    """Running clocks at or past AT_RISK_PERCENT of their target now, per kind."""
    counts = dict(clocks_visible_to(user).filter(
        state=ClockState.RUNNING, percent__gte=AT_RISK_PERCENT, stopped_at__isnull=True)
        .order_by().values_list("kind").annotate(n=Count("id")))
    return {KIND_SHORT[k]: counts.get(k, 0) for k in KIND_SHORT}


def awaiting_acknowledgement(user, limit: int = 8) -> dict | None:
    """Escalations that ask for an acknowledgement nobody has given (staff only)."""
    if user.is_portal:
        return None
    waiting = escalation_queries.escalations(user).filter(
        requires_ack=True, acknowledged_at__isnull=True)
    return {"count": waiting.count(), "rows": list(waiting.order_by("at", "pk")[:limit])}


def lapsed_agreements(agreements, now: datetime):
    """Agreements still active or under review with no signed version in force now: they
    should have been renewed or expired."""
    covered = Q(versions__frozen_at__isnull=False, versions__effective_from__lte=now) & (
        Q(versions__effective_to__isnull=True) | Q(versions__effective_to__gt=now))
    current = agreements.filter(covered).values("pk")
    return agreements.filter(status__in=IN_EFFECT).exclude(pk__in=current).order_by("pk")


def _cached(user, agreements, now: datetime, compute):
    """``compute()``, kept ACCORD_DASHBOARD_CACHE seconds per viewer scope (internal users
    share one; each portal user has their own) and set of visible agreements (0: never
    kept). A new stored clock or audited change starts afresh."""
    seconds = getattr(settings, "ACCORD_DASHBOARD_CACHE", 60)
    if seconds <= 0:
        return compute()
    fingerprint = (("portal", user.pk) if user.is_portal else "internal",
                   tuple(agreements.order_by("pk").values_list("pk", flat=True)),
                   Clock.objects.aggregate(m=Max("pk"))["m"],
                   AuditEntry.objects.aggregate(m=Max("pk"))["m"],
                   int(now.timestamp() // seconds))
    key = "accord:dashboard:" + hashlib.sha256(repr(fingerprint).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def figures(user, agreements, now: datetime, also: dict | None = None) -> dict:
    """Every figure of the dashboard's service level part; ``also``: more {name: compute}
    to keep with them (the view's overdue reviews, one query per agreement)."""
    now = now.astimezone(UTC)
    heavy = _cached(user, agreements, now, lambda: {
        **{name: compute() for name, compute in (also or {}).items()},
        "compliance": compliance_by_agreement(agreements, now),
        "trend": sla_trend(agreements, now), "as_of": now,
        "breaches_by_kind": breaches_by_kind(agreements, now),
        "at_risk_by_kind": at_risk_by_kind(user),
        "open_by_kind": open_by_kind(user)})
    return {
        **heavy,
        "at_risk_percent": AT_RISK_PERCENT,
        "awaiting_ack": awaiting_acknowledgement(user),
        "lapsed": list(lapsed_agreements(agreements, now)[:10]),
    }
