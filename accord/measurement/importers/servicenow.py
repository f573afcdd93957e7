"""The UCI "incident management process enriched event log" (a ServiceNow audit export).

One row per update of an incident: a snapshot of the record after it. Times are local
"D/M/YYYY HH:MM" without a zone, so the import needs ``--tz``. "?" means missing. The first
row of an incident creates it at ``opened_at``; ``incident_state`` gives the status (see the
mapping), ``assignment_group`` the team and, while "Awaiting Vendor", ``vendor`` the supplier.
"""

import csv
from datetime import UTC, datetime
from functools import lru_cache
from itertools import compress
from operator import ne

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
    zone,
)

_MISSING = ("?", "")
REQUIRED = ("number", "incident_state", "sys_updated_at", "opened_at", "priority", "impact",
            "urgency", "assignment_group", "vendor")
_BOOLS = {"true": True, "false": False}
# column -> (payload key, converter)
_PAYLOAD = {
    "active": ("active", _BOOLS.get),
    "made_sla": ("made_sla", _BOOLS.get),
    "reassignment_count": ("reassignment_count", int),
    "reopen_count": ("reopen_count", int),
    "sys_mod_count": ("sys_mod_count", int),
    "caller_id": ("caller", str),
    "opened_by": ("opened_by", str),
    "sys_updated_by": ("updated_by", str),
    "contact_type": ("contact_type", str),
    "location": ("location", str),
    "category": ("category", str),
    "subcategory": ("subcategory", str),
    "u_symptom": ("symptom", str),
    "cmdb_ci": ("cmdb_ci", str),
    "assigned_to": ("assigned_to", str),
    "knowledge": ("knowledge", _BOOLS.get),
    "u_priority_confirmation": ("priority_confirmed", _BOOLS.get),
    "notify": ("notify", str),
    "problem_id": ("problem_id", str),
    "rfc": ("rfc", str),
    "vendor": ("vendor", str),
    "caused_by": ("caused_by", str),
    "closed_code": ("closed_code", str),
    "resolved_by": ("resolved_by", str),
}


def is_servicenow(header: list[str]) -> bool:
    return {"number", "incident_state", "sys_updated_at"} <= set(header)


class ServiceNowIncidents(Importer):
    format = "servicenow"

    def rows(self):
        tz = zone(self.tz_name, self.format)
        mapping = load_mapping("servicenow", self.mapping_path)
        source = self.source or mapping["source"]
        statuses, priorities = mapping["statuses"], mapping.get("priorities", {})

        @lru_cache(maxsize=65536)
        def local(text):
            try:
                day, clock = text.split(" ")
                d, m, y = day.split("/")
                hh, mm = clock.split(":")
                return datetime(int(y), int(m), int(d), int(hh), int(mm), tzinfo=tz
                                ).astimezone(UTC)
            except ValueError:
                return None

        stream, self.progress = open_binary(self.path)
        with decode_stream(stream) as text:
            reader = csv.reader(text)
            self.reading_line = lambda: reader.line_num + 1
            header = next(reader, None) or []
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise UnusableInput(f"{self.path}: not a ServiceNow incident log (no column "
                                    f"{missing[0]!r})")
            col = {name: i for i, name in enumerate(header)}
            payload_cols = {col[c]: (key, conv) for c, (key, conv) in _PAYLOAD.items()
                            if c in col}
            required = [(name, col[name]) for name in REQUIRED]
            life = Lifecycle()
            previous: dict[str, tuple[list[str], bool]] = {}
            for line, values in numbered(reader):
                if len(values) != len(header):
                    yield Row(f"line {line}", {}, error={
                        "field": None, "msg": f"{len(values)} columns, the header has "
                                              f"{len(header)}"})
                    continue
                row = {name: (None if values[i] in _MISSING else values[i])
                       for name, i in required}
                number, state = row["number"] or "", row["incident_state"]
                entry = statuses.get(state, {"status": state})
                status = entry.get("status")
                position, kinds = life.step(number, status, entry)
                stamp = local(row["sys_updated_at"]) if row["sys_updated_at"] else None
                if position == 1 and row["opened_at"]:
                    opened = local(row["opened_at"])
                    if opened and stamp and opened < stamp:
                        stamp = opened
                supplier = entry.get("supplier") or ""
                if supplier is True:
                    supplier = row["vendor"] or mapping.get("unknown_supplier", "Unknown vendor")
                paused = bool(entry.get("pause"))
                before, was_paused = previous.get(number, (None, None))
                previous[number] = (values, paused)
                payload = _payload_delta(payload_cols, values, before)
                if paused != was_paused:
                    payload["paused"] = paused
                base = {
                    "source": source, "ticket_id": number,
                    "timestamp": stamp or row["sys_updated_at"],
                    "status": status,
                    "priority": priorities.get(row["priority"], row["priority"]),
                    "impact": row["impact"], "urgency": row["urgency"],
                    "type": mapping.get("type"), "team": row["assignment_group"] or "",
                    "supplier": supplier, "payload": payload,
                }
                rows = []
                emit(rows, f"line {line}", base, kinds, stable_id(number, position, *values))
                yield from rows


def _payload_delta(payload_cols: dict, values: list[str], before: list[str] | None) -> dict:
    """The payload columns that changed since the incident's previous row (None: cleared)."""
    if before is None:
        changed = payload_cols
    else:  # compare whole rows in C, then look only at the few columns that changed
        changed = [i for i in compress(range(len(values)), map(ne, values, before))
                   if i in payload_cols and not (values[i] in _MISSING
                                                 and before[i] in _MISSING)]
    payload = {}
    for i in changed:
        key, conv = payload_cols[i]
        value = values[i]
        if value in _MISSING:
            if before is not None:
                payload[key] = None
            continue
        try:
            payload[key] = conv(value)
        except ValueError:
            payload[key] = value
    return payload
