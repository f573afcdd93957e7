"""CSV files of outages and maintenance windows (plain or gzip).

Outages: service or component (names), start, end (empty: still going on), impact (0-1,
default 1), planned (true/false), description, source, external_id. Maintenance windows:
service, start, end, description, source, external_id. Times need an offset unless --tz
names the zone of offset-less ones. Rows without external_id get one derived from their
content, so importing a file twice stores nothing new.
"""

import csv
from datetime import datetime

from accord.catalogue.models import Component, Service

from ..services import import_rows
from .base import UnusableInput, decode_stream, open_binary, zone
from .broken import READ_ERRORS, reason
from .normalized import sniff_delimiter

KINDS = {
    "outage": ("service", "component", "start", "end", "impact", "planned", "description",
               "source", "external_id"),
    "maintenance": ("service", "start", "end", "description", "source", "external_id"),
}
_TRUE, _FALSE = {"true", "yes", "1", "y", "t"}, {"false", "no", "0", "n", "f", ""}


def read_rows(path, kind: str, *, tz_name: str | None = None) -> tuple[list[dict], list[str]]:
    """Parsed rows (field values, or an "errors" list) and where each came from."""
    tz = zone(tz_name, kind) if tz_name else None
    try:
        stream, _ = open_binary(path)
    except OSError as exc:
        raise UnusableInput(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return _read(stream, path, kind, tz)
    except READ_ERRORS as exc:  # truncated, corrupt, another encoding: nothing is stored
        raise UnusableInput(f"cannot import {path}: {reason(exc)}; nothing was stored"
                            ) from None


def _read(stream, path, kind: str, tz) -> tuple[list[dict], list[str]]:
    with decode_stream(stream) as text:
        first = text.readline()
        delimiter = sniff_delimiter(first)
        header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter), [])]
        if not {"start", "end"} <= set(header) or not {"service", "component"} & set(header):
            raise UnusableInput(f"{path}: a {kind} CSV needs the columns "
                                f"{', '.join(KINDS[kind])} (at least service, start, end)")
        unknown = [h for h in header if h not in KINDS[kind]]
        if unknown:
            raise UnusableInput(f"{path}: unknown column {unknown[0]!r} for a {kind} CSV")
        services = Service.objects.in_bulk(field_name="name")
        components = Component.objects.in_bulk(field_name="name") if kind == "outage" else {}
        rows, where = [], []
        for line, values in enumerate(csv.reader(text, delimiter=delimiter), start=2):
            if not any(values):
                continue
            where.append(f"line {line}")
            if len(values) != len(header):
                rows.append({"errors": [{"field": None, "msg": f"{len(values)} columns, the "
                                         f"header has {len(header)}"}]})
                continue
            cells = {k: v.strip() for k, v in zip(header, values, strict=True)}
            rows.append(_row(cells, kind, tz, services, components))
    return rows, where


def _row(cells: dict, kind: str, tz, services: dict, components: dict) -> dict:
    row, errors = {}, []
    for name, table in (("service", services), ("component", components)):
        value = cells.get(name)
        if value:
            if value in table:
                row[name] = table[value]
            else:
                errors.append({"field": name, "msg": f"unknown {name} {value!r}"})
    for name in ("start", "end"):
        value = cells.get(name)
        if value:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                errors.append({"field": name, "msg": f"not an ISO 8601 instant: {value!r}"})
                continue
            row[name] = moment.replace(tzinfo=tz) if moment.tzinfo is None and tz else moment
    if cells.get("impact"):
        try:
            row["impact"] = float(cells["impact"])
        except ValueError:
            errors.append({"field": "impact", "msg": f"not a number: {cells['impact']!r}"})
    if "planned" in cells:
        flag = cells["planned"].lower()
        if flag in _TRUE | _FALSE:
            row["planned"] = flag in _TRUE
        else:
            errors.append({"field": "planned", "msg": f"expected true or false, got "
                                                      f"{cells['planned']!r}"})
    for name in ("description", "source", "external_id"):
        if cells.get(name):
            row[name] = cells[name]
    if errors:
        row["errors"] = errors
    return row


def import_file(path, kind: str, *, user=None, source: str = "", tz_name=None) -> dict:
    """Import an outage or maintenance CSV: a summary like the event import's."""
    rows, where = read_rows(path, kind, tz_name=tz_name)
    results = import_rows(kind, rows, user=user, source=source)
    summary = {"stored": 0, "duplicates": 0, "rejected": 0, "rows": len(results),
               "path": str(path), "format": kind, "errors": []}
    for result in results:
        key = {"stored": "stored", "duplicate": "duplicates", "rejected": "rejected"}
        summary[key[result["status"]]] += 1
        if result["status"] == "rejected" and len(summary["errors"]) < 20:
            summary["errors"].append({"where": where[result["index"]],
                                      "event_id": result["external_id"],
                                      "errors": result["errors"]})
    return summary
