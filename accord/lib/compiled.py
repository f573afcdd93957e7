"""Compiled SQL of querysets whose shape never changes, kept per process.

Django compiles a queryset into SQL on every call; for the reporting aggregation's main query
(a dozen CASE expressions, two subqueries) that is about as long as PostgreSQL takes to run
it. Its shape depends only on how many agreements and month buckets it reads, and on the
database backend: ``compiled_sql`` compiles it once per shape with placeholder values no real
query uses, remembers which parameter each placeholder became, and on later calls puts the
real values in their places (``reporting.stored``, ``reporting.counts``, the experience
measures). Only the SQL text is kept, never a result: every figure is read as of the
request.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from django.db import connection

# Placeholders: agreement pks no row has, instants no clock has (distinct microseconds).
_FIRST_ID = -(10**12)
_EPOCH = datetime(1901, 1, 1, tzinfo=UTC)

_kept: dict[tuple, tuple[str, list, list]] = {}


def _placeholders(n_ids: int, n_times: int) -> tuple[list[int], list[datetime]]:
    return ([_FIRST_ID - i for i in range(n_ids)],
            [_EPOCH + timedelta(microseconds=i + 1) for i in range(n_times)])


def compiled_sql(name: str, build: Callable, ids: Sequence[int], times: Sequence[datetime]
                 ) -> tuple[str, list]:
    """(SQL, params) of ``build(ids, times).query.sql_with_params()``, compiled once per
    (name, backend, len(ids), len(times)). ``build`` must use each of ``ids`` and ``times``
    only as a parameter (a filter or comparison value), never to choose the query's shape.
    Raises what compiling raises (``EmptyResultSet``: no ids)."""
    adapt = connection.ops.adapt_datetimefield_value
    key = (name, connection.vendor, len(ids), len(times))
    found = _kept.get(key)
    if found is None:
        fake_ids, fake_times = _placeholders(len(ids), len(times))
        sql, params = build(fake_ids, fake_times).query.sql_with_params()
        slot_of: dict = {v: ("id", i) for i, v in enumerate(fake_ids)}
        slot_of.update({adapt(v): ("time", i) for i, v in enumerate(fake_times)})
        plan = []
        for value in params:
            try:
                plan.append(slot_of.get(value))
            except TypeError:  # unhashable: a constant
                plan.append(None)
        found = _kept[key] = (sql, plan, list(params))
    sql, plan, constants = found
    times = [adapt(t) for t in times]
    return sql, [constants[i] if slot is None else
                 (ids[slot[1]] if slot[0] == "id" else times[slot[1]])
                 for i, slot in enumerate(plan)]
