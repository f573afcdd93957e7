"""The aggregation of ``aggregate`` run in the database, on the stored clock table.

``sql_aggregate`` runs the one definition (when a clock counts, its outcome, its bucket: the
expressions below) as GROUP BY queries over any ``Clock`` queryset; ``stored_aggregate`` does
the same over ``stored_clocks`` with the SQL compiled once per process and shape
(``accord.lib.compiled``). ``counted_clocks`` and ``certain_facts`` lend the same definitions
to the dashboard and the trend (``counts``). ``aggregate.memory_aggregate`` is the other
backend; the two must agree exactly.
"""

import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models import CharField as TextOut
from django.db.models.functions import Coalesce

from accord.lib.compiled import compiled_sql
from accord.measurement.choices import ClockState, ExclusionStatus
from accord.measurement.models import Clock, ClockExclusion

from .aggregate import (
    BREACHED,
    ENDED,
    EXCLUDED,
    FRACTIONS,
    MET,
    OPEN,
    PERCENTILE_METRICS,
    UNASSIGNED,
    Aggregate,
)


def _certain_at(now: datetime):
    """The instant a stored clock's outcome became certain (SQL), as ``outcome_of``."""
    return Case(
        When(state=ClockState.MET, then=F("stopped_at")),
        When(state=ClockState.BREACHED, then=F("breached_at")),
        When(state=ClockState.ENDED, breached_at__isnull=False, then=F("breached_at")),
        When(state=ClockState.ENDED, then=F("stopped_at")),
        When(state=ClockState.RUNNING, due_at__lte=now, computed_at__lt=F("due_at"),
             then=F("due_at")),
        default=None, output_field=DateTimeField())


def _outcome(now: datetime):
    return Case(
        When(state=ClockState.MET, stopped_at__isnull=False, then=Value(MET)),
        When(state=ClockState.BREACHED, breached_at__isnull=False, then=Value(BREACHED)),
        When(state=ClockState.ENDED, breached_at__isnull=False, then=Value(BREACHED)),
        When(state=ClockState.ENDED, stopped_at__isnull=False, then=Value(ENDED)),
        When(state=ClockState.RUNNING, due_at__lte=now, computed_at__lt=F("due_at"),
             then=Value(BREACHED)),
        default=None, output_field=TextOut())


def _excluded():
    """1 for a breached clock an approved exclusion annotates, else 0 (SQL; only breached
    clocks look for one: nothing reads it of the others)."""
    approved = ClockExclusion.objects.filter(clock=OuterRef("pk"),
                                             status=ExclusionStatus.APPROVED)
    return Case(When(outcome=BREACHED, then=Case(When(Exists(approved), then=Value(1)),
                                                 default=Value(0))),
                default=Value(0), output_field=IntegerField())


def _party():
    """The confirmed responsible party of a breached clock's breach investigation, or ""
    (SQL: a LEFT JOIN of the investigations, one per clock at most; only breached clocks
    read it)."""
    found = Coalesce(F("investigation__party"), Value(""), output_field=TextOut())
    return Case(When(outcome=BREACHED, then=found), default=Value(""), output_field=TextOut())


def _bucket(bounds: Sequence[datetime]):
    return Case(*[When(certain_at__gte=bounds[i], certain_at__lt=bounds[i + 1], then=Value(i))
                  for i in range(len(bounds) - 1)], default=None, output_field=IntegerField())


def stored_clocks(agreement_ids, bounds: Sequence[datetime]):
    """The stored clocks of these agreements that can matter for [bounds[0], bounds[-1]):
    started before its end, not stopped before its start (indexes: agreement + started_at,
    agreement + stopped_at)."""
    return (Clock.objects.filter(agreement_id__in=list(agreement_ids),
                                 started_at__lt=bounds[-1])
            .filter(Q(stopped_at__isnull=True) | Q(stopped_at__gte=bounds[0]))
            .exclude(state=ClockState.CANCELLED))


def counted_clocks(clocks, bounds: Sequence[datetime], now: datetime):
    """``clocks`` counted in one of the buckets, annotated with ``certain_at``, ``outcome``,
    ``bucket`` and ``seconds`` (business seconds when counted)."""
    return (clocks.order_by().annotate(certain_at=_certain_at(now), outcome=_outcome(now),
                                       bucket=_bucket(bounds), seconds=_seconds(now))
            .filter(bucket__isnull=False, outcome__isnull=False))


def _seconds(now: datetime):
    """Business seconds at the instant a clock counted: a stale running clock counts at its
    due instant, when it had used exactly its target."""
    return Case(When(state=ClockState.RUNNING, then=F("target_seconds")),
                default=F("elapsed_seconds"), output_field=FloatField())


def sql_aggregate(clocks, bounds: Sequence[datetime], now: datetime) -> Aggregate:
    """The aggregation over ``clocks`` (a ``Clock`` queryset, usually ``stored_clocks``) in
    the database: the candidate clocks are compiled once into SQL ("facts": when each became
    certain, its outcome, its bucket); one GROUP BY reads the counts, the open clocks per
    bucket, the confirmed parties and (PostgreSQL, by GROUPING SETS) the percentiles; one
    more the attribution. On PostgreSQL both are one statement over the facts read once
    (a materialized CTE)."""
    try:
        inner, params = _facts(clocks, bounds, now).query.sql_with_params()
    except EmptyResultSet:  # no agreements at all
        return Aggregate()
    return _aggregate(inner, params, bounds)


def stored_aggregate(agreement_ids, bounds: Sequence[datetime], now: datetime) -> Aggregate:
    """``sql_aggregate(stored_clocks(agreement_ids, bounds), bounds, now)``, the same figures,
    with the facts' SQL compiled once per process and shape (``compiled.compiled_sql``)."""
    compiled = _stored_facts(agreement_ids, bounds, now)
    return Aggregate() if compiled is None else _aggregate(*compiled, bounds)


def stored_aggregates(agreement_ids, bounds: Sequence[datetime], now: datetime
                      ) -> list[Aggregate]:
    """One aggregate per bucket of ``bounds``, each equal to ``stored_aggregate(ids,
    bounds[i:i + 2], now)`` (its only bucket numbered 0), from one pass over the stored
    clocks: twelve months read the clock table once, not twelve times (the what-if replay's
    baseline). ``memory.memory_aggregates`` is its in-memory twin."""
    compiled = _stored_facts(agreement_ids, bounds, now)
    if compiled is None:
        return [Aggregate() for _ in range(len(bounds) - 1)]
    return _split(_aggregate(*compiled, bounds, per_bucket=True), len(bounds) - 1)


def _stored_facts(agreement_ids, bounds: Sequence[datetime], now: datetime
                  ) -> tuple[str, list] | None:
    """(SQL, params) of the facts of ``stored_clocks``, compiled once per shape; None with
    no agreements at all."""
    try:
        return compiled_sql(
            "stored_facts", lambda i, times: _facts(stored_clocks(i, times[:-1]), times[:-1],
                                                    times[-1]), list(agreement_ids),
            [*bounds, now])
    except EmptyResultSet:
        return None


def _split(whole: Aggregate, n: int) -> list[Aggregate]:
    """``whole`` (percentiles keyed (bucket, metric)) as one aggregate per bucket."""
    parts = [Aggregate() for _ in range(n)]
    for (t, v, bucket), counts in whole.counts.items():
        parts[bucket].counts[(t, v, 0)].update(counts)
    for (bucket, *rest), count in whole.breaches.items():
        parts[bucket].breaches[(0, *rest)] += count
    for (t, v, bucket, holder), seconds in whole.held.items():
        parts[bucket].held[(t, v, 0, holder)] += seconds
    for name in ("top", "confirmed", "confirmed_top"):
        for (bucket, who), count in getattr(whole, name).items():
            getattr(parts[bucket], name)[(0, who)] += count
    for (bucket, metric), pair in whole.percentiles.items():
        parts[bucket].percentiles[metric] = pair
    return parts


def certain_facts(clocks, bounds: Sequence[datetime], now: datetime):
    """``_facts`` as far as the counts need them: target, version, bucket, outcome, start,
    when it became certain, and 1 for an excluded breach (``counts.stored_counts``)."""
    return (clocks.order_by()
            .annotate(certain_at=_certain_at(now), outcome=_outcome(now),
                      bucket=_bucket(bounds), t=F("target_id"), v=F("version_id"),
                      excl=_excluded())
            .values("t", "v", "bucket", "outcome", "started_at", "certain_at", "excl"))


def _facts(clocks, bounds: Sequence[datetime], now: datetime):
    """The candidate clocks as facts: when each became certain, its outcome, its bucket."""
    return (clocks.order_by()
            .annotate(certain_at=_certain_at(now), outcome=_outcome(now),
                      bucket=_bucket(bounds), seconds=_seconds(now), t=F("target_id"),
                      v=F("version_id"), prio=F("ticket__priority"), excl=_excluded(),
                      party=_party())
            .values("id", "t", "v", "bucket", "outcome", "kind", "metric", "prio", "seconds",
                    "attribution", "started_at", "certain_at", "excl", "party"))


def _aggregate(inner: str, params: list, bounds: Sequence[datetime], per_bucket: bool = False
               ) -> Aggregate:
    """``sql_aggregate`` over the facts compiled to ``inner`` with ``params``; with
    ``per_bucket`` the percentiles are per bucket, keyed (bucket, metric) (``_split``)."""
    result = Aggregate()
    edges = bounds[1:]
    opens = ", ".join("SUM(CASE WHEN f.started_at < %s AND (f.certain_at IS NULL OR "
                      "f.certain_at >= %s) THEN 1 ELSE 0 END)" for _ in edges)
    open_args = [edge for edge in edges for _ in (0, 1)]
    columns = "f.t, f.v, f.bucket, f.outcome, f.kind, f.metric, f.prio, f.party"
    postgres = connection.vendor == "postgresql"
    timed = "f.bucket IS NOT NULL AND f.outcome IN (%s, %s) AND f.metric IN (%s, %s)"
    timed_args = [MET, BREACHED, *PERCENTILE_METRICS]
    held_rows = None
    with connection.cursor() as cursor:
        if postgres:
            pct = ", ".join(f"percentile_cont({p}) WITHIN GROUP (ORDER BY f.seconds) "
                            f"FILTER (WHERE {timed})" for p in FRACTIONS)
            # Part 0: the counts (and percentiles); part 1: the attribution (``_held``).
            padding = ", ".join(["NULL"] * (8 + len(edges) + len(FRACTIONS)))  # to GROUPING
            held, held_args = _held_sql("facts")
            by = "f.bucket, f.metric" if per_bucket else "f.metric"
            cursor.execute(f"WITH facts AS MATERIALIZED ({inner}) "
                           f"SELECT 0, {columns}, COUNT(*), SUM(f.excl), {opens}, {pct}, "
                           f"GROUPING(f.t), NULL, NULL, NULL, NULL "
                           f"FROM facts f GROUP BY GROUPING SETS (({columns}), ({by})) "
                           f"UNION ALL SELECT 1, h.t, h.v, h.bucket, {padding}, h.holder, "
                           f"h.held, h.largest, h.confirmed FROM ({held}) h",
                           [*params, *open_args, *timed_args, *timed_args, *held_args])
            rows, held_rows = [], []
            for row in cursor.fetchall():
                if row[0]:
                    held_rows.append((*row[1:4], *row[-4:]))
                else:
                    rows.append(row[1:-4])
        else:
            cursor.execute(f"SELECT {columns}, COUNT(*), SUM(f.excl), {opens} FROM ({inner}) f "
                           f"GROUP BY {columns}", [*open_args, *params])
            rows = cursor.fetchall()
        width = 10 + len(edges)
        for row in rows:
            target_id, version_id, bucket, outcome, kind, metric, prio, party, n, excl = \
                row[:10]
            if postgres and row[-1]:  # the (metric) grouping set: its percentiles
                if metric in PERCENTILE_METRICS and row[width] is not None:
                    result.percentiles[(bucket, metric) if per_bucket else metric] = tuple(
                        row[width:width + len(FRACTIONS)])
                continue
            for i, count in enumerate(row[10:width]):
                if count:
                    result.counts[(target_id, version_id, i)][OPEN] += count
            if bucket is None or outcome is None:
                continue
            result.counts[(target_id, version_id, bucket)][outcome] += n
            if outcome == BREACHED:
                if excl:
                    result.counts[(target_id, version_id, bucket)][EXCLUDED] += int(excl)
                result.breaches[(bucket, kind, metric, prio or "")] += n
                if party:
                    result.confirmed[(bucket, party)] += n
        _held(cursor, inner, params, result, held_rows)
        if not postgres:
            _percentiles(cursor, inner, params, result, per_bucket)
    return result


def _held_sql(source: str) -> tuple[str, list]:
    """(SQL, args) of the attribution per (t, v, bucket, holder) of the breached facts in
    ``source`` (a subquery or a CTE's name): business seconds, breaches whose largest holder
    it was, and those of them with a confirmed party."""
    postgres = connection.vendor == "postgresql"
    value = "CAST(CAST(a.value AS TEXT) AS DOUBLE PRECISION)" if postgres else "a.value"
    each = ("CROSS JOIN LATERAL json_each(f.attribution) a" if postgres
            else ", json_each(f.attribution) a")
    return (f"SELECT t, v, bucket, holder, SUM(seconds) AS held, "
            f"SUM(CASE WHEN n = 1 AND seconds > 0 THEN 1 ELSE 0 END) AS largest, "
            f"SUM(CASE WHEN n = 1 AND seconds > 0 AND party <> '' THEN 1 ELSE 0 END) "
            f"AS confirmed FROM ("
            f"SELECT f.id, f.t, f.v, f.bucket, f.party, a.key AS holder, {value} AS seconds, "
            f"ROW_NUMBER() OVER (PARTITION BY f.id ORDER BY {value} DESC, a.key) AS n "
            f"FROM {source} f {each} WHERE f.outcome = %s AND f.bucket IS NOT NULL) s "
            f"GROUP BY t, v, bucket, holder", [BREACHED])


def _held(cursor, inner: str, params, result: Aggregate, rows=None) -> None:
    """Breached business time per holder, and breaches per largest holder (ties: the first
    name): json_each over the ``attribution`` of the breached clocks, in the database. A
    breach with no business time held by anyone is unassigned. ``rows``: the attribution
    already read (``_held_sql``) with the counts."""
    if rows is None:
        query, args = _held_sql(f"({inner})")
        cursor.execute(query, [*params, *args])
        rows = cursor.fetchall()
    for target_id, version_id, bucket, holder, seconds, largest, confirmed in rows:
        result.held[(target_id, version_id, bucket, holder)] += float(seconds)
        if largest:
            result.top[(bucket, holder)] += largest
        if confirmed:
            result.confirmed_top[(bucket, holder)] += confirmed
    by_bucket = Counter()
    for (bucket, _), n in result.top.items():
        by_bucket[bucket] += n
    breached_in = Counter()  # the breaches per bucket, from the counts already read
    for (_, _, bucket), counts in result.counts.items():
        breached_in[bucket] += counts[BREACHED]
    for bucket, n in breached_in.items():
        if n > by_bucket[bucket]:
            result.top[(bucket, UNASSIGNED)] += n - by_bucket[bucket]
    confirmed_in = Counter()  # the confirmed breaches per bucket, read with the counts
    for (bucket, _), n in result.confirmed.items():
        confirmed_in[bucket] += n
    held_in = Counter()
    for (bucket, _), n in result.confirmed_top.items():
        held_in[bucket] += n
    for bucket, n in confirmed_in.items():  # confirmed breaches nobody held time of
        if n > held_in[bucket]:
            result.confirmed_top[(bucket, UNASSIGNED)] += n - held_in[bucket]


def _percentiles(cursor, inner: str, params, result: Aggregate, per_bucket: bool = False
                 ) -> None:
    """percentile_cont (p50, p90) of the business seconds of the met and breached clocks per
    duration metric (and bucket, ``per_bucket``), on SQLite: the same definition as
    PostgreSQL's aggregate, from the two ranks around p·(n−1), read in order."""
    where = "f.bucket IS NOT NULL AND f.outcome IN (%s, %s) AND f.metric IN (%s, %s)"
    args = [*params, MET, BREACHED, *PERCENTILE_METRICS]
    group = "f.bucket, f.metric" if per_bucket else "f.metric"
    cursor.execute(f"SELECT {group}, COUNT(*) FROM ({inner}) f WHERE {where} GROUP BY {group}",
                   args)
    for *bucket, metric, n in cursor.fetchall():  # bucket: [its number] per bucket, else []
        found = []
        for p in FRACTIONS:
            pos = p * (n - 1)
            lo = math.floor(pos)
            cursor.execute(f"SELECT f.seconds FROM ({inner}) f WHERE {where} AND f.metric = %s"
                           f"{' AND f.bucket = %s' if bucket else ''} "
                           f"ORDER BY f.seconds LIMIT 2 OFFSET %s", [*args, metric, *bucket, lo])
            pair = [r[0] for r in cursor.fetchall()]
            upper = pair[1] if len(pair) > 1 and pos > lo else pair[0]
            found.append(pair[0] + (pos - lo) * (upper - pair[0]))
        result.percentiles[(*bucket, metric) if bucket else metric] = tuple(found)
