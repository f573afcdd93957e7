"""The 4TU "Helpdesk" log of an Italian software company (finale.csv): one row per activity.

Times are "YYYY/MM/DD hh:mm:ss.sss" without a zone, so the import needs ``--tz``. The
activity gives the status and kind (see the mapping), seriousness_2 the priority, workgroup
the team; the other attributes (all anonymised as "Value N") travel in the payload.
"""

import csv
from datetime import datetime

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

REQUIRED = ("Case ID", "Activity", "Complete Timestamp")
_PAYLOAD = {"Resource": "owner", "customer": "customer", "product": "product",
            "responsible_section": "responsible_section", "service_level": "service_level",
            "service_type": "service_type", "support_section": "support_section",
            "seriousness": "seriousness", "Activity": "activity"}


def is_helpdesk(header: list[str]) -> bool:
    return set(REQUIRED) <= set(header)


class Helpdesk(Importer):
    format = "helpdesk"

    def rows(self):
        tz = zone(self.tz_name, self.format)
        mapping = load_mapping("helpdesk", self.mapping_path)
        source = self.source or mapping["source"]
        stream, self.progress = open_binary(self.path)
        with decode_stream(stream) as text:
            reader = csv.reader(text)
            self.reading_line = lambda: reader.line_num + 1
            header = [h.strip() for h in next(reader, None) or []]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise UnusableInput(f"{self.path}: not a Helpdesk log (no column "
                                    f"{missing[0]!r})")
            col = {}
            for i, name in enumerate(header):
                col.setdefault(name, i)  # the header repeats "Variant"
            life = Lifecycle()
            for line, values in numbered(reader):
                if not any(values):
                    continue
                if len(values) != len(header):
                    yield Row(f"line {line}", {}, error={
                        "field": None, "msg": f"{len(values)} columns, the header has "
                                              f"{len(header)}"})
                    continue

                def get(name, values=values):
                    i = col.get(name)
                    return (values[i].strip() or None) if i is not None else None

                case, activity = get("Case ID") or "", get("Activity")
                entry = mapping["activities"].get(activity, {"status": activity})
                status = entry.get("status")
                position, kinds = life.step(case, status, entry)
                stamp = get("Complete Timestamp")
                try:
                    stamp = datetime.strptime(stamp, "%Y/%m/%d %H:%M:%S.%f").replace(tzinfo=tz)
                except (TypeError, ValueError):
                    pass  # intake rejects it and names the field
                payload = {key: get(name) for name, key in _PAYLOAD.items() if get(name)}
                payload["paused"] = bool(entry.get("pause"))
                priority = get("seriousness_2")
                base = {
                    "source": source, "ticket_id": case, "timestamp": stamp, "status": status,
                    "priority": mapping.get("priorities", {}).get(priority, priority),
                    "type": mapping.get("type"), "team": get("workgroup"),
                    "payload": life.payload_delta(case, payload),
                }
                rows = []
                emit(rows, f"line {line}", base, kinds, stable_id(case, position, *values))
                yield from rows
