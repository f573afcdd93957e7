"""Fast bulk reads and writes for intake: binary COPY and arrays on PostgreSQL, executemany
and json_each on SQLite.

Django's ``bulk_create``/``bulk_update`` and long ``__in`` lists cost more than the database
work itself at intake volumes (an expression or a parameter per value). These helpers move
plain rows (tuples of field values, in the order of the field ``names`` given) instead.
"""

import gc
import json
from contextlib import contextmanager
from datetime import UTC, datetime
from operator import itemgetter

from django.db import IntegrityError, connection, models, transaction


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector around bulk work. Tens of thousands of short-lived
    dicts otherwise trigger collections that rescan every long-lived object of the process
    (a third of an import's time); nothing here builds reference cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _json_encoder():
    """Compact JSON text of a value: the json module's C encoder called directly, twice as
    fast as ``JSONEncoder.encode`` for the small objects written here by the thousand."""
    encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator in this Python
        return encode

    def default(value):
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    chunks = make(None, default, json.encoder.encode_basestring_ascii, None, ":", ",",
                  False, False, True)
    return lambda value: "".join(chunks(value, 0))


compact_json = _json = _json_encoder()


class JSONText(str):
    """A JSON value already encoded: written as is instead of being encoded again."""

    __slots__ = ()
# PostgreSQL column type -> the type psycopg dumps in binary COPY.
_BINARY_TYPES = {"bigint": "int8", "integer": "int4", "smallint": "int2", "boolean": "bool",
                 "jsonb": "jsonb", "timestamp with time zone": "timestamptz",
                 "double precision": "float8", "text": "text"}


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _fields(model, names):
    return [model._meta.get_field(name) for name in names]


def _column_list(model, names) -> str:
    return ", ".join(_qn(f.column) for f in _fields(model, names))


def _binary_types(model, names) -> list[str]:
    # JSON goes as ready-made text (see _binary_rows); psycopg's text dumper is C code.
    types = []
    for field in _fields(model, names):
        db_type = field.db_type(connection).split("(")[0]
        types.append("text" if db_type in ("jsonb", "json", "varchar") else _BINARY_TYPES[db_type])
    return types


def _binary_rows(model, names, rows, encoded=False):
    """Rows for binary COPY, with JSON values as the text of their binary wire format: for
    json the JSON text itself, for jsonb a version byte (1) and then the JSON text.
    ``encoded``: the caller promises every JSON value is a ``JSONText`` or None."""
    json_columns = [(i, "\x01" if f.db_type(connection) == "jsonb" else "")
                    for i, f in enumerate(_fields(model, names))
                    if isinstance(f, models.JSONField)]
    if not json_columns:
        return rows
    if all(not version for _, version in json_columns) and (encoded or all(
            row[i] is None or row[i].__class__ is JSONText
            for row in rows for i, _ in json_columns)):
        return rows  # json columns, all of them already encoded
    empty = {version: version + "{}" for _, version in json_columns}
    out = []
    for row in rows:
        row = list(row)
        for i, version in json_columns:
            value = row[i]
            if value is not None:
                row[i] = (empty[version] if value == {} else
                          version + (value if value.__class__ is JSONText else _json(value)))
        out.append(row)
    return out


def _sqlite_datetime(value: datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime: UTC text, no offset."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} (an offset is required)")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _sqlite_rows(model, names, rows) -> list:
    """Rows with JSON and datetime values adapted the way Django's SQLite backend does."""
    adapters = []
    for i, field in enumerate(_fields(model, names)):
        if isinstance(field, models.JSONField):
            adapters.append((i, _json))
        elif isinstance(field, models.DateTimeField):
            adapters.append((i, _sqlite_datetime))
    if not adapters:
        return rows
    out = []
    memo = {}  # the same instants recur (received_at always does): adapt each once
    for row in rows:
        row = list(row)
        for i, adapt in adapters:
            value = row[i]
            if value is not None:
                if adapt is _json:
                    row[i] = value if value.__class__ is JSONText else adapt(value)
                else:
                    hit = memo.get(value)
                    if hit is None:
                        hit = memo[value] = adapt(value)
                    row[i] = hit
        out.append(row)
    return out


def _datetime(value):
    """SQLite gives UTC without an offset (as text or a naive datetime): make it aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _converters(model, names):
    converters = []
    for field in _fields(model, names):
        if isinstance(field, models.JSONField):
            converters.append(lambda v: json.loads(v) if isinstance(v, str) else v)
        elif isinstance(field, models.DateTimeField):
            converters.append(_datetime)
        elif isinstance(field, models.BooleanField):
            converters.append(bool)
        else:
            converters.append(None)
    return converters


def select_in(model, names, in_field: str, values, *, empty_as_none=(), **equal) -> list[tuple]:
    """Rows (tuples of ``names``) of ``model`` whose ``in_field`` is one of ``values`` and
    whose fields in ``equal`` have those values. One parameter for all ``values``.
    JSON fields named in ``empty_as_none`` may read as None where they hold ``{}`` (saves
    parsing a mostly empty column)."""
    values = list(values)
    if not values:
        return []
    conditions = [f"{_qn(f.column)} = %s" for f in _fields(model, equal)]
    params = list(equal.values())
    in_column = _qn(model._meta.get_field(in_field).column)
    if connection.vendor == "postgresql":
        conditions.append(f"{in_column} = ANY(%s)")
        params.append(values)
    else:
        conditions.append(f"{in_column} IN (SELECT value FROM json_each(%s))")
        params.append(json.dumps(values))
    table, where = _qn(model._meta.db_table), " AND ".join(conditions)
    if connection.vendor == "postgresql":
        columns = ", ".join(f"NULLIF({_qn(f.column)}, '{{}}'::jsonb)" if f.name in empty_as_none
                            else _qn(f.column) for f in _fields(model, names))
        return fetch_binary(f"SELECT {columns} FROM {table} WHERE {where}", params)
    sql = f"SELECT {_column_list(model, names)} FROM {table} WHERE {where}"
    converters = _converters(model, names)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not any(converters):
        return rows
    return [tuple(v if c is None or v is None else c(v)
                  for c, v in zip(converters, row, strict=True)) for row in rows]


def fetch_binary(sql: str, params) -> list[tuple]:
    """PostgreSQL: the rows of a query, sent in binary. Django's cursors bind parameters on
    the client and read text, parsing every timestamp in Python; psycopg's own cursor reads
    binary with its C loaders, four times faster for bulk reads. Same connection, same
    transaction; values come as Python values (aware UTC datetimes, parsed JSON)."""
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.fetchall()


def _copy(cursor, table: str, columns: str, types: list[str], rows) -> None:
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _copy_via_staging(cursor, model, names, rows, returning=None):
    """COPY into a temporary twin of the table, then INSERT ... ON CONFLICT DO NOTHING;
    returns the ``returning`` values of the rows that went in."""
    table, columns = _qn(model._meta.db_table), _column_list(model, names)
    cursor.execute("DROP TABLE IF EXISTS accord_staging")
    cursor.execute(f"CREATE TEMPORARY TABLE accord_staging ON COMMIT DROP AS "
                   f"SELECT {columns} FROM {table} WITH NO DATA")
    _copy(cursor, "accord_staging", columns, _binary_types(model, names), rows)
    tail = f" RETURNING {_column_list(model, returning)}" if returning else ""
    cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM accord_staging "
                   f"ON CONFLICT DO NOTHING{tail}")
    inserted = cursor.fetchall() if returning else None
    cursor.execute("DROP TABLE accord_staging")
    return inserted


def _copy_or_none(cursor, model, names, rows) -> bool:
    """Straight COPY, rolled back to a savepoint if any row breaks a unique constraint."""
    try:
        with transaction.atomic(), connection.wrap_database_errors:
            _copy(cursor, _qn(model._meta.db_table), _column_list(model, names),
                  _binary_types(model, names), rows)
        return True
    except IntegrityError:
        return False


def without_null_columns(model, names, rows) -> tuple[tuple, list]:
    """Leave out nullable columns that are NULL in every row: the database fills them in,
    and a batch sends less (most events set only a few fields)."""
    if not rows:
        return tuple(names), rows
    keep = [i for i, name in enumerate(names)
            if not model._meta.get_field(name).null or any(row[i] is not None for row in rows)]
    if len(keep) == len(names):
        return tuple(names), rows
    pick = itemgetter(*keep) if len(keep) > 1 else lambda row: (row[keep[0]],)
    return tuple(names[i] for i in keep), list(map(pick, rows))


def insert_ignoring_conflicts(model, names, rows, *, encoded=False) -> bool:
    """INSERT ``rows``; rows that break a unique constraint are skipped (someone stored them
    first). Returns True when every row went in. ``encoded``: see ``_binary_rows``."""
    if not rows:
        return True
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            marks = ", ".join(["%s"] * len(names))
            cursor.executemany(
                f"INSERT INTO {_qn(model._meta.db_table)} ({_column_list(model, names)}) "
                f"VALUES ({marks}) ON CONFLICT DO NOTHING", _sqlite_rows(model, names, rows))
            return cursor.rowcount == len(rows)
        rows = _binary_rows(model, names, rows, encoded)
        if _copy_or_none(cursor, model, names, rows):
            return True
        _copy_via_staging(cursor, model, names, rows)
        return False


def insert_returning(model, names, rows, returning) -> list[tuple] | None:
    """PostgreSQL: INSERT ``rows``, skipping those that break a unique constraint, and return
    the ``returning`` values of the rows that went in, or None when all of them did.

    First a straight COPY, the fastest way in; if any row conflicts, that COPY is rolled back
    to a savepoint and the rows go through a staging table with ON CONFLICT DO NOTHING.
    """
    if not rows:
        return None
    rows = _binary_rows(model, names, rows)
    with connection.cursor() as cursor:
        if _copy_or_none(cursor, model, names, rows):
            return None
        return _copy_via_staging(cursor, model, names, rows, returning)


def refresh_statistics(*models_) -> None:
    """PostgreSQL: ANALYZE these tables, so that lookups during a long import keep using
    their indexes (fresh tables have no statistics until autovacuum gets to them)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(_qn(m._meta.db_table) for m in models_))


def allocate_ids(model, count: int) -> list[int] | None:
    """PostgreSQL: ``count`` new primary keys from the table's sequence, so rows can be
    inserted by COPY with known ids. None on other databases."""
    if connection.vendor != "postgresql" or not count:
        return None
    rows = fetch_binary("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                        "FROM generate_series(1, %s)",
                        [model._meta.db_table, model._meta.pk.column, count])
    return [row[0] for row in rows]


def update_by_pk(model, names, rows, *, encoded=False) -> None:
    """UPDATE ``names`` of the rows whose primary key is the first value of each row."""
    if not rows:
        return
    table = _qn(model._meta.db_table)
    pk = _qn(model._meta.pk.column)
    columns = [_qn(f.column) for f in _fields(model, names)]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            sets = ", ".join(f"{c} = %s" for c in columns)
            rows = _sqlite_rows(model, (model._meta.pk.name, *names), rows)
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s",
                               [(*row[1:], row[0]) for row in rows])
            return
        all_columns = ", ".join([pk, *columns])
        cursor.execute("DROP TABLE IF EXISTS accord_refresh")
        cursor.execute(f"CREATE TEMPORARY TABLE accord_refresh ON COMMIT DROP AS "
                       f"SELECT {all_columns} FROM {table} WITH NO DATA")
        _copy(cursor, "accord_refresh", all_columns,
              _binary_types(model, (model._meta.pk.name, *names)),
              _binary_rows(model, (model._meta.pk.name, *names), rows, encoded))
        sets = ", ".join(f"{c} = r.{c}" for c in columns)
        cursor.execute(f"UPDATE {table} AS t SET {sets} FROM accord_refresh AS r "
                       f"WHERE t.{pk} = r.{pk}")
        cursor.execute("DROP TABLE accord_refresh")
