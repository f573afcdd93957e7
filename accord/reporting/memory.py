"""The in-memory backend of the aggregation (``aggregate``'s docstring says when a clock
counts): over ``ClockRow``s from the engine, for the what-if replay and the tests that hold
the two backends equal.

``memory_aggregate`` aggregates rows into the buckets of one set of bounds, as
``sql_aggregate`` does; ``memory_aggregates`` makes, in one pass over the rows, one aggregate
per bucket as if each bucket had been aggregated alone (the replay's months).
"""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from accord.measurement.choices import ClockState

from .aggregate import (
    BREACHED,
    EXCLUDED,
    FRACTIONS,
    MET,
    OPEN,
    PERCENTILE_METRICS,
    Aggregate,
    ClockRow,
    outcome_of,
    percentile,
    seconds_of,
    top_holder,
)


def memory_aggregate(rows: Iterable[ClockRow], bounds: Sequence[datetime], now: datetime
                     ) -> Aggregate:
    """The aggregation over in-memory rows (``bounds``: bucket edges, UTC, ascending)."""
    result = Aggregate()
    durations: dict[str, list[float]] = defaultdict(list)
    _aggregate(rows, bounds, now, lambda _: result, lambda i: i, durations=lambda _: durations)
    _finish(result, durations)
    return result


def memory_aggregates(rows: Iterable[ClockRow], bounds: Sequence[datetime], now: datetime
                      ) -> list[Aggregate]:
    """One aggregate per bucket of ``bounds``, each equal to ``memory_aggregate(rows,
    bounds[i:i + 2], now)`` (its only bucket numbered 0), from one pass over ``rows``."""
    results = [Aggregate() for _ in range(len(bounds) - 1)]
    durations = [defaultdict(list) for _ in results]
    _aggregate(rows, bounds, now, results.__getitem__, lambda _: 0,
               durations=durations.__getitem__)
    for result, found in zip(results, durations, strict=True):
        _finish(result, found)
    return results


def _aggregate(rows, bounds, now, result_of, number_of, *, durations) -> None:
    """Count ``rows`` into ``result_of(bucket)`` under the bucket number ``number_of(bucket)``.

    A clock is open in bucket i when it started before the bucket's end and its outcome was
    not certain by then: the buckets from the first ending after its start up to (without)
    the first ending after the instant it became certain."""
    ends = list(bounds[1:])
    first_edge, last_edge = bounds[0], bounds[-1]
    for row in rows:
        if row.state == ClockState.CANCELLED:
            continue
        known = outcome_of(row, now)
        certain_at = known[1] if known else None
        first_open = bisect_right(ends, row.started_at)
        stop = len(ends) if certain_at is None else bisect_right(ends, certain_at)
        for i in range(first_open, stop):
            result_of(i).counts[(row.target_id, row.version_id, number_of(i))][OPEN] += 1
        if known is None or certain_at < first_edge or certain_at >= last_edge:
            continue
        bucket = bisect_right(ends, certain_at)
        result, number = result_of(bucket), number_of(bucket)
        outcome = known[0]
        counts = result.counts[(row.target_id, row.version_id, number)]
        counts[outcome] += 1
        if outcome in (MET, BREACHED) and row.metric in PERCENTILE_METRICS:
            durations(bucket)[row.metric].append(seconds_of(row))
        if outcome == BREACHED:
            if row.excluded:
                counts[EXCLUDED] += 1
            result.breaches[(number, row.kind, row.metric, row.priority)] += 1
            for holder, seconds in (row.attribution or {}).items():
                result.held[(row.target_id, row.version_id, number, holder)] += seconds
            top = top_holder(row.attribution)
            result.top[(number, top)] += 1
            if row.party:
                result.confirmed[(number, row.party)] += 1
                result.confirmed_top[(number, top)] += 1


def _finish(result: Aggregate, durations: dict) -> None:
    for metric, values in durations.items():
        result.percentiles[metric] = tuple(percentile(values, p) for p in FRACTIONS)
    result.durations = dict(durations)
