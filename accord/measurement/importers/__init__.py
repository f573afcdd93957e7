"""Importers: real ticket logs -> normalized events -> ``services.ingest_events``, in batches.

One module per format. ``detect_format`` recognises a file from its name and first bytes;
``run_import`` streams it in batches and sums up what was stored, duplicate and rejected.
Clocks are not computed batch by batch: a ticket is handed to ``recompute.Behind`` once the
batches that hold its events are stored, and its clocks are computed beside the import (in a
second process on PostgreSQL) or at its end.
Status and kind mappings are JSON files in ``mappings/`` (override with ``--mapping``).
"""

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from accord.clock.events import Event

from ..choices import IngestStatus
from ..models import Ticket, TicketEvent
from ..recompute import Behind
from ..services import ingest_events
from ..services._bulk import gc_paused, refresh_statistics
from .base import BrokenFile, Importer, Row, UnusableInput, decode_stream, open_binary
from .bpi_incidents import BpiIncidents
from .bpi_problems import BpiProblems, is_bpi_problems
from .broken import READ_ERRORS, guarded, reason
from .coverage import uncovered
from .helpdesk import Helpdesk, is_helpdesk
from .normalized import NormalizedCsv, is_normalized, sniff_delimiter
from .servicenow import ServiceNowIncidents, is_servicenow

FORMATS: dict[str, type[Importer]] = {
    cls.format: cls
    for cls in (NormalizedCsv, BpiIncidents, ServiceNowIncidents, BpiProblems, Helpdesk)
}
BATCH_SIZE = 5000
MAX_CONFLICT_IDS = 10  # conflicting event ids a summary lists
STATISTICS_EVERY = 25  # batches between ANALYZEs on PostgreSQL (and after the first)
MAX_ERRORS = 20
INTERRUPTED = "the import was interrupted"

__all__ = ["FORMATS", "BrokenFile", "ImportSummary", "UnusableInput", "detect_format",
           "importer_for", "run_import"]


def detect_format(path) -> str:
    """The format of the file at ``path``, from its name and its first bytes."""
    try:
        stream, _ = open_binary(path)
    except OSError as exc:
        raise UnusableInput(f"cannot read {path}: {exc.strerror or exc}") from None
    with stream:
        try:
            head = stream.peek(4096)[:4096] if hasattr(stream, "peek") else stream.read(4096)
        except (OSError, EOFError) as exc:
            raise UnusableInput(f"cannot read {path}: {exc}") from None
        if head.lstrip().startswith(b"<") or str(path).lower().endswith((".xes", ".xes.gz")):
            if b"<log" in head or b"xes" in head.lower():
                return BpiIncidents.format
            raise UnusableInput(f"{path}: an XML file but not an XES log")
        try:
            first = decode_stream(stream).readline()
        except READ_ERRORS as exc:
            raise UnusableInput(f"cannot import {path}: {reason(exc)}; nothing was "
                                "stored") from None
    header = [h.strip() for h in next(csv.reader([first], delimiter=sniff_delimiter(first)), [])]
    for test, fmt in ((is_normalized, NormalizedCsv.format),
                      (is_servicenow, ServiceNowIncidents.format),
                      (is_bpi_problems, BpiProblems.format),
                      (is_helpdesk, Helpdesk.format)):
        if test(header):
            return fmt
    raise UnusableInput(f"cannot recognise the format of {path}: give --format, one of "
                        f"{', '.join(FORMATS)}")


# Imports that apps above measurement add to ``accord import`` (from their AppConfig.ready()):
# name -> (add_arguments(parser), run(options) -> summary dict).
EXTRA_IMPORTS: dict[str, tuple] = {}


def register_import(name: str, add_arguments, run) -> None:
    """Add ``accord import NAME FILE``: ``add_arguments`` fills its subparser, ``run`` gets
    the parsed options and returns the JSON summary (raising UnusableInput when the input is
    unusable)."""
    EXTRA_IMPORTS[name] = (add_arguments, run)


def importer_for(path, fmt: str | None = None, **options) -> Importer:
    """The reader for ``path``; ``options`` are source, tz and mapping."""
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise UnusableInput(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    return FORMATS[fmt](path, **options)


@dataclass
class ImportSummary:
    """What an import did. ``errors`` holds the first rejected rows with their reasons;
    ``conflict_ids`` the first event ids stored before with other content."""

    path: str
    format: str
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    conflicts: int = 0
    rows: int = 0
    tickets: int = 0
    seconds: float = 0.0
    errors: list[dict] = field(default_factory=list)
    conflict_ids: list[str] = field(default_factory=list)
    stopped: dict | None = None  # {"at", "reason"} when the file broke off part way
    sources: set[str] = field(default_factory=set)
    uncovered: dict | None = None  # tickets of these sources no target covers (coverage.py)

    def stop(self, where: str, reason: str) -> None:
        self.stopped = {"at": where, "reason": reason}

    @property
    def message(self) -> str | None:
        """What to tell the user when the file broke off, or None."""
        if self.stopped is None:
            return None
        again = ("run the same command again" if self.stopped["reason"] == INTERRUPTED
                 else "run the same command again with the complete file")
        return (f"stopped at {self.stopped['at']}: {self.stopped['reason']}; "
                f"{self.stored:,} events stored (their clocks are up to date); {again} — it "
                "will skip what is stored")

    def conflict(self, event_id: str | None) -> None:
        self.conflicts += 1
        if len(self.conflict_ids) < MAX_CONFLICT_IDS:
            self.conflict_ids.append(event_id)

    def reject(self, where: str, event_id, errors: list[dict], max_errors: int) -> None:
        self.rejected += 1
        if len(self.errors) < max_errors:
            self.errors.append({"where": where, "event_id": event_id, "errors": errors})

    def as_dict(self) -> dict:
        return {"stored": self.stored, "duplicates": self.duplicates, "rejected": self.rejected,
                "conflicts": self.conflicts, "conflict_ids": self.conflict_ids,
                "rows": self.rows, "tickets": self.tickets, "seconds": round(self.seconds, 3),
                "path": self.path, "format": self.format, "errors": self.errors,
                "complete": self.stopped is None, "stopped": self.stopped,
                "message": self.message, "uncovered": self.uncovered}


def run_import(
    importer: Importer,
    *,
    now: datetime,
    user=None,
    create_missing: bool = False,
    limit: int | None = None,
    batch_size: int = BATCH_SIZE,
    max_errors: int = MAX_ERRORS,
    on_progress: Callable[[ImportSummary, float | None], None] | None = None,
) -> ImportSummary:
    """Read ``importer``'s rows and ingest them ``batch_size`` at a time.

    ``limit`` keeps only the first N tickets (cases) of the file. Raises UnusableInput when
    the file cannot be read at all (nothing is stored); bad rows are counted as rejected,
    with reasons. A file that breaks off part way (truncated, corrupt, another encoding)
    ends the run there: what was read before is stored and measured, and
    ``summary.stopped`` says where and why. Each
    batch is one transaction; the clocks of the tickets a run touched are stored by the
    time it returns (if it dies before, ``accord recompute`` rebuilds them).
    """
    summary = ImportSummary(str(importer.path), importer.format)
    started = time.perf_counter()
    with gc_paused(), Behind(now) as behind:
        _run(importer, summary, behind, now=now, user=user, create_missing=create_missing,
             limit=limit, batch_size=batch_size, max_errors=max_errors,
             on_progress=on_progress)
        behind.finish()
    if summary.sources:  # re-imports too: the stored tickets may still lack clocks
        summary.uncovered = uncovered(summary.sources)
    summary.seconds = time.perf_counter() - started
    return summary


def _run(importer, summary, behind, *, now, user, create_missing, limit, batch_size, max_errors,
         on_progress) -> None:
    tickets: set[int] = set()
    batch: list[Row] = []
    last: set[int] = set()  # tickets of the latest batch: the next one may add to them

    batches = 0

    def flush():
        nonlocal batches, last
        result = ingest_events([row.item for row in batch], now=now, user=user,
                               create_missing=create_missing, clocks=False)
        batches += 1
        if batches == 1 or batches % STATISTICS_EVERY == 0:
            refresh_statistics(Ticket, TicketEvent)
        summary.stored += result.stored
        summary.duplicates += result.duplicates
        for item in result.results:
            if item.status == IngestStatus.REJECTED:
                summary.reject(batch[item.index].where, item.event_id, item.errors, max_errors)
            elif item.status == IngestStatus.CONFLICT:
                summary.conflict(item.event_id)
        tickets.update(result.ticket_ids)
        summary.sources.update(_source(row.item) for row in batch)
        behind.add(last - result.ticket_ids)
        last = result.ticket_ids
        batch.clear()
        if on_progress:
            fraction = importer.progress.fraction() if importer.progress else None
            on_progress(summary, fraction)

    try:
        for row in _first_cases(guarded(importer, summary), limit, importer.grouped):
            summary.rows += 1
            if row.error:
                summary.reject(row.where, row.item.get("event_id"), [row.error], max_errors)
                if on_progress and summary.rows % batch_size == 0:
                    on_progress(summary, importer.progress.fraction() if importer.progress
                                else None)
                continue
            batch.append(row)
            if len(batch) >= batch_size:
                flush()
        if batch or on_progress:
            flush()
    except KeyboardInterrupt:
        # Ctrl-C: the batch under way is rolled back; the committed ones keep their clocks
        # (run_import finishes them) and the summary says where to pick up.
        summary.stop(batch[0].where if batch else "the end of the file", INTERRUPTED)
    behind.add(last)
    summary.tickets = len(tickets)


def _source(item) -> str:
    return item.source if isinstance(item, Event) else item.get("source") or ""


def _first_cases(rows, limit: int | None, grouped: bool):
    if limit is None:
        yield from rows
        return
    seen: set = set()
    for row in rows:
        item = row.item
        ticket = item.get("ticket_id") if isinstance(item, dict) else item.ticket_id
        if ticket not in seen:
            if len(seen) >= limit:
                if grouped:
                    return
                continue
            seen.add(ticket)
        yield row
