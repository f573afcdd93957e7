"""The BPI Challenge 2013 open and closed problem logs (";"-separated, Windows-1252).

The two files order their columns differently, so columns are read by name. A problem
number can occur in both logs: the case key is (log, Problem Number), so each log is its own
source ("bpi2013-problems-open", "bpi2013-problems-closed" from the file name, or --source).
"""

import csv
import re
from datetime import datetime
from pathlib import Path

from .base import (
    Importer,
    Lifecycle,
    Row,
    UnusableInput,
    decode_stream,
    emit,
    load_mapping,
    numbered,
    open_binary,
    stable_id,
)

NUMBER = "Problem Number"
COLUMNS = {
    "timestamp": "Problem Change Date+Time",
    "phase": "Problem Status",
    "sub": "Problem Sub Status",
    "impact": "Problem Latest Impact",
    "org_line": "Problem Involved ST Org line 3",
    "function_div": "Problem Involved ST Function Div",
    "team": "Problem Involved Owner ST",
    "product": "Product",
    "country": "Country",
    "owner_country": "Problem Involved Action Owner Country",
    "owner": "Problem Involved Action Owner First Name",
}
_PAYLOAD = ("phase", "product", "owner", "org_line", "function_div", "country", "owner_country")


def is_bpi_problems(header: list[str]) -> bool:
    return NUMBER in header and COLUMNS["timestamp"] in header


def log_name(path) -> str:
    """"open" or "closed" from the file name, else the file's stem."""
    stem = Path(path).name.split(".")[0].lower()
    for log in ("open", "closed"):
        if re.search(rf"(^|[^a-z]){log}([^a-z]|$)", stem):
            return log
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-") or "log"


class BpiProblems(Importer):
    format = "bpi2013-problems"

    def rows(self):
        mapping = load_mapping("bpi2013_problems", self.mapping_path)
        source = self.source or f"{mapping['source']}-{log_name(self.path)}"
        stream, self.progress = open_binary(self.path)
        with decode_stream(stream) as text:
            reader = csv.reader(text, delimiter=";")
            self.reading_line = lambda: reader.line_num + 1
            header = [h.strip() for h in next(reader, None) or []]
            missing = [c for c in (NUMBER, *COLUMNS.values()) if c not in header]
            if missing:
                raise UnusableInput(f"{self.path}: not a BPI 2013 problem log (no column "
                                    f"{missing[0]!r})")
            col = {name: header.index(column) for name, column in COLUMNS.items()}
            number_col = header.index(NUMBER)
            life = Lifecycle()
            for line, values in numbered(reader):
                if not any(values):
                    continue
                if len(values) != len(header):
                    yield Row(f"line {line}", {}, error={
                        "field": None, "msg": f"{len(values)} columns, the header has "
                                              f"{len(header)}"})
                    continue
                case = values[number_col].strip()
                row = {name: values[i].strip() or None for name, i in col.items()}
                entry = mapping["statuses"].get(f"{row['phase']}/{row['sub']}",
                                                {"status": row["sub"] or row["phase"]})
                status = entry.get("status")
                position, kinds = life.step(case, status, entry)
                payload = {k: row[k] for k in _PAYLOAD if row[k]}
                payload["paused"] = bool(entry.get("pause"))
                stamp = row["timestamp"]
                try:
                    stamp = datetime.fromisoformat(stamp) if stamp else None
                except ValueError:
                    pass  # intake rejects it and names the field
                base = {
                    "source": source, "ticket_id": case, "timestamp": stamp, "status": status,
                    "impact": row["impact"],
                    "priority": mapping.get("priorities", {}).get(row["impact"], row["impact"]),
                    "type": mapping.get("type"), "team": row["team"],
                    "supplier": entry.get("supplier") or "",
                    "payload": life.payload_delta(case, payload),
                }
                rows = []
                emit(rows, f"line {line}", base, kinds, stable_id(case, position, *values))
                yield from rows
