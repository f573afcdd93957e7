"""What every importer shares: opening (gzip) files, mappings, stable ids, derived kinds."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accord.clock.events import Event

TERMINAL_KINDS = ("resolved", "closed")


class UnusableInput(Exception):
    """The input cannot be imported at all (unknown format, missing --tz, bad mapping)."""


class BrokenFile(UnusableInput):
    """The file breaks off or turns to garbage part way: what was read before may be kept."""


@dataclass
class Row:
    """One event for intake and where it came from (for error reports). A row the reader
    could not make sense of carries ``error`` ({"field", "msg"}) and is reported rejected."""

    where: str
    item: Event | dict
    error: dict | None = None


class Progress:
    """How far through the file we are, from the position in the (compressed) raw file."""

    def __init__(self, raw):
        self.raw = raw
        try:
            self.size = os.fstat(raw.fileno()).st_size
        except (AttributeError, OSError, io.UnsupportedOperation):
            self.size = 0

    def fraction(self) -> float | None:
        if not self.size:
            return None
        try:
            return min(1.0, self.raw.tell() / self.size)
        except (OSError, ValueError):
            return None


def open_binary(path) -> tuple[io.BufferedIOBase, Progress]:
    """The file's bytes (decompressed when it is gzip), with a progress gauge."""
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller through the returned stream
    progress = Progress(raw)
    if raw.peek(2)[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw, mode="rb"), progress
    return raw, progress


def decode_stream(stream, encoding: str | None = None) -> io.TextIOWrapper:
    """Text from bytes: UTF-8 (with or without BOM) if the first megabyte is UTF-8,
    otherwise Windows-1252 (the encoding of many Excel-made CSV files)."""
    if encoding is None:
        stream = io.BufferedReader(stream, buffer_size=1 << 20)
        head = stream.peek(1 << 20)
        try:
            head.decode("utf-8")
            encoding = "utf-8-sig"
        except UnicodeDecodeError as exc:
            # A multi-byte character cut by the end of the sample is still UTF-8.
            encoding = "utf-8-sig" if exc.start >= len(head) - 3 else "cp1252"
    return io.TextIOWrapper(stream, encoding=encoding, newline="")


def numbered(reader, lines_before: int = 0) -> Iterator[tuple[int, list[str]]]:
    """(line, values) for each record of a ``csv.reader``: the physical line the record
    starts on (a quoted value may span lines). ``lines_before``: lines of the file read
    before the reader started (a header read apart)."""
    start = reader.line_num + lines_before + 1
    for values in reader:
        yield start, values
        start = reader.line_num + lines_before + 1


def zone(name: str | None, fmt: str) -> ZoneInfo:
    """The zone for a format whose times carry no offset: --tz is required, never guessed."""
    if not name:
        raise UnusableInput(
            f"the {fmt} format has local times without a time zone: give the zone they were "
            "recorded in with --tz (an IANA name such as Europe/Brussels or America/Sao_Paulo); "
            "Accord does not guess it"
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnusableInput(f"--tz {name!r} is not a known IANA time zone") from None


def load_mapping(name: str, override: str | os.PathLike | None = None) -> dict:
    """The shipped mapping ``mappings/<name>.json``, with an override file merged over it
    (top-level objects are merged key by key, other values replaced)."""
    text = resources.files(__package__).joinpath("mappings", f"{name}.json").read_text("utf-8")
    mapping = json.loads(text)
    if override:
        try:
            with open(override, encoding="utf-8") as f:
                extra = json.load(f)
        except (OSError, ValueError) as exc:
            raise UnusableInput(f"--mapping {override}: {exc}") from None
        if not isinstance(extra, dict):
            raise UnusableInput(f"--mapping {override}: expected a JSON object")
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(mapping.get(key), dict):
                mapping[key] = {**mapping[key], **value}
            else:
                mapping[key] = value
    return mapping


def stable_id(ticket_id: str, position: int, *parts) -> str:
    """An event id from the case, the event's position in it and its content: the same file
    gives the same ids, so importing it again stores nothing new."""
    digest = hashlib.sha1("\x1f".join(map(str, (ticket_id, position, *parts))).encode())
    return f"{ticket_id[:100]}/{position:05d}/{digest.hexdigest()[:10]}"


@dataclass
class _Case:
    status: str | None = None
    finished: bool = False
    responded: bool = False
    payload: dict = field(default_factory=dict)
    count: int = 0


class Lifecycle:
    """Event kinds for sources that only record statuses, one case at a time, in file order.

    The first event creates the ticket; entering a status the mapping marks ``kind``
    resolved/closed gives that kind; a status after a finished one reopens; the first entry
    into a ``responded`` status is the response; other status changes are status_changed and
    the rest updated. A first event in a resolved or responded status yields two kinds.
    """

    def __init__(self):
        self.cases: dict[str, _Case] = {}

    def step(self, ticket_id: str, status: str | None, entry: dict) -> tuple[int, list[str]]:
        """The event's position in its case (1, 2, ...) and its kinds."""
        case = self.cases.get(ticket_id)
        mapped = entry.get("kind")
        if case is None:
            case = self.cases[ticket_id] = _Case(status=status, count=1)
            kinds = ["created"]
            if entry.get("responded"):
                case.responded = True
                kinds.append("responded")
            if mapped in TERMINAL_KINDS:
                case.finished = True
                kinds.append(mapped)
            return 1, kinds
        case.count += 1
        changed = status is not None and status != case.status
        if status is not None:
            case.status = status
        if not changed:
            return case.count, ["updated"]
        if mapped in TERMINAL_KINDS:
            case.finished = True
            return case.count, [mapped]
        if case.finished:
            case.finished = False
            return case.count, ["reopened"]
        if entry.get("responded") and not case.responded:
            case.responded = True
            return case.count, ["responded"]
        return case.count, ["status_changed"]

    def payload_delta(self, ticket_id: str, payload: dict) -> dict:
        """The payload keys that changed since the case's previous event (None: removed)."""
        case = self.cases[ticket_id]
        delta = {k: v for k, v in payload.items() if case.payload.get(k) != v}
        delta.update({k: None for k in case.payload if k not in payload})
        case.payload = payload
        return delta


def emit(rows: list[Row], where: str, base: dict, kinds: list[str], event_id: str) -> None:
    """Append one Row per kind. Extra kinds (a ticket created already resolved) share the
    instant and the fields; only the first carries the payload.

    Rows carry ``Event`` objects (validated here, so intake need not parse them again); an
    event that does not validate becomes a rejected row naming the field.
    """
    for n, kind in enumerate(kinds):
        fields = dict(base, kind=kind, event_id=event_id if n == 0 else f"{event_id}:{kind}")
        if n:
            fields.pop("payload", None)
        try:
            rows.append(Row(where, Event(**fields)))
        except OverflowError:  # a local time whose offset takes it past the years 1-9999
            rows.append(Row(where, {"event_id": event_id}, error={
                "field": "timestamp", "msg": "out of range (years 1 to 9999 in UTC)"}))
        except (TypeError, ValueError) as exc:
            name, sep, msg = str(exc).partition(": ")
            error = {"field": name, "msg": msg} if sep and name in fields else {
                "field": None, "msg": str(exc)}
            rows.append(Row(where, {"event_id": event_id}, error=error))


class Importer:
    """Base of the per-format readers: ``rows()`` yields Row objects in file order."""

    format = ""
    grouped = True  # events of one case are contiguous, so --limit can stop early

    def __init__(self, path, *, source=None, tz=None, mapping=None):
        self.path = path
        self.source = source
        self.tz_name = tz
        self.mapping_path = mapping
        self.progress: Progress | None = None
        # The line being read (1-based), for a message when the file breaks off.
        self.reading_line: Callable[[], int] | None = None

    def rows(self) -> Iterator[Row]:
        raise NotImplementedError


def aware(value: datetime, tz: ZoneInfo) -> datetime:
    """A local wall-clock time in ``tz`` (ambiguous times: the first occurrence)."""
    return value.replace(tzinfo=tz)
