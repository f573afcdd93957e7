"""CSV in Accord's own event format (DESIGN "The ticket event format"), plain or gzip.

Columns: source, event_id, ticket_id, timestamp, kind, status, priority, impact, urgency,
type, service, customer, team, supplier, public, payload (a JSON object). Only ticket_id,
timestamp and kind are required; an empty cell is an absent value. Any other column travels
in the payload. Timestamps need an offset, unless --tz names the zone of offset-less ones.
"""

import csv
import json
from datetime import datetime

from accord.clock.events import TICKET_FIELDS

from .base import (
    Importer,
    Row,
    UnusableInput,
    decode_stream,
    numbered,
    open_binary,
    stable_id,
    zone,
)

COLUMNS = ("source", "event_id", "ticket_id", "timestamp", "kind", *TICKET_FIELDS, "public",
           "payload")
REQUIRED = ("ticket_id", "timestamp", "kind")


def is_normalized(header: list[str]) -> bool:
    return set(REQUIRED) <= set(header)


def sniff_delimiter(line: str) -> str:
    return max((",", ";", "\t"), key=line.count)


class NormalizedCsv(Importer):
    format = "normalized"
    grouped = False

    def rows(self):
        if self.mapping_path:
            raise UnusableInput("the normalized format is already mapped: --mapping does not "
                                "apply to it")
        tz = zone(self.tz_name, self.format) if self.tz_name else None
        stream, self.progress = open_binary(self.path)
        with decode_stream(stream) as text:
            first = text.readline()
            header = next(csv.reader([first], delimiter=sniff_delimiter(first)), [])
            header = [h.strip() for h in header]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise UnusableInput(f"{self.path}: not an Accord event CSV (no column "
                                    f"{missing[0]!r})")
            reader = csv.reader(text, delimiter=sniff_delimiter(first))
            self.reading_line = lambda: reader.line_num + 2  # the header was read apart
            positions: dict[str, int] = {}
            for line, values in numbered(reader, 1):
                if not any(values):
                    continue
                if len(values) != len(header):
                    yield Row(f"line {line}", {}, error={
                        "field": None, "msg": f"{len(values)} columns, the header has "
                                              f"{len(header)}"})
                    continue
                item, extra = {}, {}
                for name, value in zip(header, values, strict=True):
                    if value == "":
                        continue
                    if name in COLUMNS:
                        item[name] = value
                    else:
                        extra[name] = value
                if extra:
                    try:
                        item["payload"] = self._payload(item.get("payload"), extra)
                    except ValueError as exc:
                        yield Row(f"line {line}", item, error={"field": "payload",
                                                               "msg": str(exc)})
                        continue
                if self.source and not item.get("source"):
                    item["source"] = self.source
                if tz is not None and item.get("timestamp"):
                    item["timestamp"] = self._local(item["timestamp"], tz)
                if not item.get("event_id") and item.get("ticket_id"):
                    ticket = item["ticket_id"]
                    positions[ticket] = positions.get(ticket, 0) + 1
                    item["event_id"] = stable_id(ticket, positions[ticket], *values)
                yield Row(f"line {line}", item)

    @staticmethod
    def _payload(text, extra: dict) -> dict:
        """The payload column merged over the extra columns."""
        if not text:
            return extra
        try:
            payload = json.loads(text)
        except ValueError:
            raise ValueError(f"not valid JSON: {text!r}") from None
        if not isinstance(payload, dict):
            raise ValueError(f"expected a JSON object, got {text!r}")
        return {**extra, **payload}

    @staticmethod
    def _local(text: str, tz):
        try:
            value = datetime.fromisoformat(text.strip())
        except ValueError:
            return text  # intake rejects it and names the field
        return value if value.tzinfo else value.replace(tzinfo=tz)
