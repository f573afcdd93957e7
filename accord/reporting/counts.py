"""The aggregation's counts alone: met, breached, ended, excluded and open per (target,
version, bucket), by the one definition of ``aggregate`` (the same facts, ``stored``), without the
breakdowns, attribution and percentiles a trend does not show. A 12-period trend reads a
year of clocks: those extras would be most of its cost."""

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection

from accord.lib.compiled import compiled_sql

from .aggregate import BREACHED, EXCLUDED, OPEN, Aggregate
from .stored import certain_facts, stored_clocks


def stored_counts(agreement_ids, bounds: Sequence[datetime], now: datetime) -> Aggregate:
    """An ``Aggregate`` with only ``counts`` filled, equal to the ``counts`` of
    ``stored.stored_aggregate(agreement_ids, bounds, now)``: one GROUP BY over the facts (their SQL
    compiled once per shape)."""
    result = Aggregate()
    try:
        inner, params = compiled_sql(
            "counted_facts", lambda i, times: certain_facts(
                stored_clocks(i, times[:-1]), times[:-1], times[-1]),
            list(agreement_ids), [*bounds, now])
    except EmptyResultSet:  # no agreements at all
        return result
    edges = bounds[1:]
    opens = ", ".join("SUM(CASE WHEN f.started_at < %s AND (f.certain_at IS NULL OR "
                      "f.certain_at >= %s) THEN 1 ELSE 0 END)" for _ in edges)
    open_args = [edge for edge in edges for _ in (0, 1)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT f.t, f.v, f.bucket, f.outcome, COUNT(*), SUM(f.excl), {opens} "
                       f"FROM ({inner}) f GROUP BY f.t, f.v, f.bucket, f.outcome",
                       [*open_args, *params])
        for target_id, version_id, bucket, outcome, n, excl, *open_in in cursor.fetchall():
            for i, count in enumerate(open_in):
                if count:
                    result.counts[(target_id, version_id, i)][OPEN] += count
            if bucket is None or outcome is None:
                continue
            result.counts[(target_id, version_id, bucket)][outcome] += n
            if outcome == BREACHED and excl:
                result.counts[(target_id, version_id, bucket)][EXCLUDED] += int(excl)
    return result
