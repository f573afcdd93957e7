"""The one aggregation over clock rows, with two backends that must agree exactly.

When a clock counts (issue "Compliance — one definition"): once, in the period in which its
outcome became certain —

- a met clock at its ``stopped_at``;
- a breached clock at ``breached_at``;
- a running clock whose stored row is older than its due instant, once that instant has
  passed (``computed_at < due_at <= now``), as breached at ``due_at``: figures are as of the
  request, never as of the last write;
- a clock closed because its agreement ended (``ended``) at its ``stopped_at``, counted apart;
- a cancelled clock never.

A clock that started before a bucket's end and whose outcome was not certain by then is
**open** for that bucket.

``sql_aggregate`` runs this as GROUP BY queries on the stored clock table;
``memory_aggregate`` runs it over in-memory ``ClockRow``s (from the engine, for the what-if
replay). Both return an ``Aggregate``: counts per (target, version, bucket), breaches per
(bucket, kind, metric, priority), breached business time per (target, version, bucket,
holder) and the number of breaches whose largest share a holder held.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    FloatField,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models import CharField as TextOut

from accord.measurement.choices import ClockState
from accord.measurement.models import Clock

MET, BREACHED, ENDED, OPEN = "met", "breached", "ended", "open"
UNASSIGNED = "unassigned"


@dataclass(frozen=True, slots=True)
class ClockRow:
    """What the aggregation reads of one clock (a stored ``Clock`` or an engine result)."""

    target_id: int
    version_id: int
    agreement_id: int
    kind: str
    metric: str
    state: str
    started_at: datetime
    stopped_at: datetime | None
    due_at: datetime | None
    breached_at: datetime | None
    computed_at: datetime
    elapsed_seconds: float
    target_seconds: float
    priority: str = ""  # the ticket's priority
    attribution: dict = field(default_factory=dict)

    @classmethod
    def from_clock(cls, clock: Clock) -> "ClockRow":
        return cls(clock.target_id, clock.version_id, clock.agreement_id, clock.kind,
                   clock.metric, clock.state, clock.started_at, clock.stopped_at,
                   clock.due_at, clock.breached_at, clock.computed_at, clock.elapsed_seconds,
                   clock.target_seconds, clock.ticket.priority, dict(clock.attribution or {}))


@dataclass
class Aggregate:
    """Counts per (target_id, version_id, bucket) -> {met, breached, ended, open};
    ``breaches`` per (bucket, kind, metric, priority); ``held`` breached business seconds per
    (target_id, version_id, bucket, holder); ``top`` breaches per (bucket, holder) whose
    largest share of business time that holder held."""

    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    breaches: Counter = field(default_factory=Counter)
    held: dict = field(default_factory=lambda: defaultdict(float))
    top: Counter = field(default_factory=Counter)

    def normalised(self) -> tuple:
        """Comparable form (tests hold the two backends equal with it)."""
        return ({k: {o: n for o, n in v.items() if n} for k, v in self.counts.items()
                 if any(v.values())},
                {k: n for k, n in self.breaches.items() if n},
                {k: round(s, 6) for k, s in self.held.items()},
                {k: n for k, n in self.top.items() if n})


def bucket_of(at: datetime | None, bounds: Sequence[datetime]) -> int | None:
    if at is None or at < bounds[0] or at >= bounds[-1]:
        return None
    for i in range(len(bounds) - 1):
        if at < bounds[i + 1]:
            return i
    return None


def outcome_of(row, now: datetime) -> tuple[str, datetime] | None:
    """(outcome, instant it became certain) of one clock as of ``now``, or None if open or
    cancelled."""
    if row.state == ClockState.MET:
        return (MET, row.stopped_at) if row.stopped_at is not None else None
    if row.state == ClockState.BREACHED:
        return (BREACHED, row.breached_at) if row.breached_at is not None else None
    if row.state == ClockState.ENDED:
        return (ENDED, row.stopped_at) if row.stopped_at is not None else None
    if (row.state == ClockState.RUNNING and row.due_at is not None and row.due_at <= now
            and row.computed_at < row.due_at):
        return BREACHED, row.due_at
    return None


def top_holder(attribution: dict) -> str:
    """The holder with the largest share of business time ("unassigned" if none)."""
    shares = [(seconds, holder) for holder, seconds in (attribution or {}).items() if seconds]
    if not shares:
        return UNASSIGNED
    best = max(seconds for seconds, _ in shares)
    return min(holder for seconds, holder in shares if seconds == best)


def memory_aggregate(rows: Iterable[ClockRow], bounds: Sequence[datetime], now: datetime
                     ) -> Aggregate:
    """The aggregation over in-memory rows (``bounds``: bucket edges, UTC, ascending)."""
    result = Aggregate()
    for row in rows:
        if row.state == ClockState.CANCELLED:
            continue
        known = outcome_of(row, now)
        certain_at = known[1] if known else None
        for i in range(len(bounds) - 1):
            edge = bounds[i + 1]
            if row.started_at < edge and (certain_at is None or certain_at >= edge):
                result.counts[(row.target_id, row.version_id, i)][OPEN] += 1
        if known is None:
            continue
        bucket = bucket_of(certain_at, bounds)
        if bucket is None:
            continue
        outcome = known[0]
        result.counts[(row.target_id, row.version_id, bucket)][outcome] += 1
        if outcome == BREACHED:
            result.breaches[(bucket, row.kind, row.metric, row.priority)] += 1
            for holder, seconds in (row.attribution or {}).items():
                result.held[(row.target_id, row.version_id, bucket, holder)] += seconds
            result.top[(bucket, top_holder(row.attribution))] += 1
    return result


def _certain_at(now: datetime):
    """The instant a stored clock's outcome became certain (SQL), as ``outcome_of``."""
    return Case(
        When(state=ClockState.MET, then=F("stopped_at")),
        When(state=ClockState.BREACHED, then=F("breached_at")),
        When(state=ClockState.ENDED, then=F("stopped_at")),
        When(state=ClockState.RUNNING, due_at__lte=now, computed_at__lt=F("due_at"),
             then=F("due_at")),
        default=None, output_field=DateTimeField())


def _outcome(now: datetime):
    return Case(
        When(state=ClockState.MET, stopped_at__isnull=False, then=Value(MET)),
        When(state=ClockState.BREACHED, breached_at__isnull=False, then=Value(BREACHED)),
        When(state=ClockState.ENDED, stopped_at__isnull=False, then=Value(ENDED)),
        When(state=ClockState.RUNNING, due_at__lte=now, computed_at__lt=F("due_at"),
             then=Value(BREACHED)),
        default=None, output_field=TextOut())


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


def seconds_of(row) -> float:
    return row.target_seconds if row.state == ClockState.RUNNING else row.elapsed_seconds


def sql_aggregate(clocks, bounds: Sequence[datetime], now: datetime) -> Aggregate:
    """The aggregation as GROUP BY queries over ``clocks`` (a ``Clock`` queryset, usually
    ``stored_clocks``)."""
    result = Aggregate()
    base = clocks.order_by().annotate(certain_at=_certain_at(now))
    counted = counted_clocks(clocks, bounds, now)
    for row in (counted.values("target_id", "version_id", "bucket", "outcome", "kind",
                               "metric", "ticket__priority").annotate(n=Count("id"))):
        key = (row["target_id"], row["version_id"], row["bucket"])
        result.counts[key][row["outcome"]] += row["n"]
        if row["outcome"] == BREACHED:
            result.breaches[(row["bucket"], row["kind"], row["metric"],
                             row["ticket__priority"] or "")] += row["n"]
    still_open = Q(certain_at__isnull=True)
    opens = {f"open_{i}": Sum(Case(
        When(Q(started_at__lt=bounds[i + 1]) & (still_open | Q(certain_at__gte=bounds[i + 1])),
             then=Value(1)), default=Value(0), output_field=IntegerField()))
        for i in range(len(bounds) - 1)}
    for row in (base.filter(still_open | Q(certain_at__gte=bounds[1]))
                .values("target_id", "version_id").annotate(**opens)):
        for i in range(len(bounds) - 1):
            if row[f"open_{i}"]:
                result.counts[(row["target_id"], row["version_id"], i)][OPEN] += \
                    row[f"open_{i}"]
    _held(counted.filter(outcome=BREACHED), result)
    return result


def _held(breached, result: Aggregate) -> None:
    """Breached business time per holder, and breaches per largest holder: json_each over
    the ``attribution`` of the breached clocks, in the database."""
    inner, params = (breached.values("id", "target_id", "version_id", "bucket", "attribution")
                     .query.sql_with_params())
    value = "CAST(CAST(a.value AS TEXT) AS DOUBLE PRECISION)" \
        if connection.vendor == "postgresql" else "a.value"
    each = ("CROSS JOIN LATERAL json_each(b.attribution) a" if connection.vendor == "postgresql"
            else ", json_each(b.attribution) a")
    shares = (f"SELECT b.id, b.target_id, b.version_id, b.bucket, a.key AS holder, "
              f"{value} AS seconds FROM ({inner}) b {each}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT target_id, version_id, bucket, holder, SUM(seconds) "
                       f"FROM ({shares}) s GROUP BY target_id, version_id, bucket, holder",
                       params)
        for target_id, version_id, bucket, holder, seconds in cursor.fetchall():
            result.held[(target_id, version_id, bucket, holder)] += float(seconds)
        # Each breach's largest holder (ties: the first name), counted per bucket; a breach
        # with no business time held by anyone is unassigned.
        cursor.execute(
            f"SELECT bucket, holder, COUNT(*) FROM (SELECT bucket, holder, ROW_NUMBER() OVER "
            f"(PARTITION BY id ORDER BY seconds DESC, holder) AS n FROM ({shares}) s "
            f"WHERE seconds > 0) r WHERE n = 1 GROUP BY bucket, holder", params)
        tops = cursor.fetchall()
    for bucket, holder, n in tops:
        result.top[(bucket, holder)] += n
    by_bucket = Counter()
    for (bucket, _), n in result.top.items():
        by_bucket[bucket] += n
    for row in breached.values("bucket").annotate(n=Count("id")):
        missing = row["n"] - by_bucket[row["bucket"]]
        if missing:
            result.top[(row["bucket"], UNASSIGNED)] += missing
