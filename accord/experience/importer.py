"""``accord import feedback FILE``: a CSV (plain or .gz) with the feedback JSON's columns
(source, id, ticket_id, ticket_source, service, customer, timestamp, kind, score, scale,
text, respondent, channel). Same JSON summary as the event import; rejected rows name
their line."""

import csv
import time

from django.utils import timezone

from accord.measurement.importers.base import UnusableInput, decode_stream, open_binary
from accord.measurement.importers.normalized import sniff_delimiter

from .choices import FeedbackStatus
from .services import ingest_feedback
from .validation import FIELDS

MAX_ERRORS = 20
BATCH = 1000


def add_arguments(parser) -> None:
    parser.add_argument("file")
    parser.add_argument("--source", default="", help="source of rows that name none")
    parser.add_argument("--json", action="store_true",
                        help="print the summary as one JSON object on stdout")


def read_rows(path):
    """(line number, row dict) per data row; UnusableInput for an unusable file."""
    try:
        stream, _ = open_binary(path)
    except OSError as exc:
        raise UnusableInput(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        with decode_stream(stream) as text:
            first = text.readline()
            delimiter = sniff_delimiter(first)
            header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter), [])]
            missing = [name for name in ("id", "timestamp", "kind") if name not in header]
            if missing:
                raise UnusableInput(f"{path}: a feedback CSV needs the columns "
                                    f"{', '.join(FIELDS)} (at least id, timestamp, kind); "
                                    f"{missing[0]} is missing")
            unknown = [h for h in header if h not in FIELDS]
            if unknown:
                raise UnusableInput(f"{path}: unknown column {unknown[0]!r} for a feedback CSV")
            for line, values in enumerate(csv.reader(text, delimiter=delimiter), start=2):
                if not any(values):
                    continue
                if len(values) != len(header):
                    yield line, None, f"{len(values)} columns, the header has {len(header)}"
                    continue
                row = {k: v.strip() for k, v in zip(header, values, strict=True)}
                yield line, {k: v for k, v in row.items() if v != ""}, None
    except (EOFError, OSError, csv.Error) as exc:  # a truncated gzip, a broken CSV
        raise UnusableInput(f"{path}: {exc}") from None


def import_file(path, *, source: str = "", user=None, now=None) -> dict:
    started = time.monotonic()
    now = now or timezone.now()
    summary = {"stored": 0, "duplicates": 0, "conflicts": 0, "rejected": 0, "rows": 0,
               "seconds": 0.0, "path": str(path), "format": "feedback", "errors": []}
    keys = {FeedbackStatus.STORED: "stored", FeedbackStatus.DUPLICATE: "duplicates",
            FeedbackStatus.CONFLICT: "conflicts", FeedbackStatus.REJECTED: "rejected"}
    batch: list[tuple[int, dict]] = []

    def reject(line, item_id, errors):
        summary["rejected"] += 1
        if len(summary["errors"]) < MAX_ERRORS:
            summary["errors"].append({"where": f"line {line}", "event_id": item_id,
                                      "errors": errors})

    def flush():
        result = ingest_feedback([row for _, row in batch], now=now, user=user,
                                 default_source=source or "import")
        for (line, _), item in zip(batch, result["results"], strict=True):
            if item["status"] == FeedbackStatus.REJECTED:
                reject(line, item["id"], item["errors"])
            else:
                summary[keys[item["status"]]] += 1
        batch.clear()

    for line, row, error in read_rows(path):
        summary["rows"] += 1
        if error:
            reject(line, None, [{"field": None, "msg": error}])
            continue
        batch.append((line, row))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    summary["seconds"] = round(time.monotonic() - started, 3)
    return summary


def run(options) -> dict:
    return import_file(options["file"], source=options.get("source") or "")
