"""The what-if replay as CSV: one line per month, target and side (simulated or baseline)."""

import csv
import io

COLUMNS = ("side", "agreement", "version", "month", "target", "name", "metric", "service",
           "type", "priority", "objective_percent", "met", "breached", "open",
           "compliance_percent", "objective_met", "shortfall", "credit_due")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def render_csv(result: dict) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["time_zone", result["time_zone"], "from", result["from"], "to", result["to"]])
    w.writerow(COLUMNS)
    sides = (("simulated", result["version"], result["months"]),
             ("baseline", result["baseline"]["version"], result["baseline"]["months"]))
    for side, number, months in sides:
        for month in months:
            for row in month["targets"]:
                w.writerow([_cell(v) for v in (
                    side, result["agreement"], row["version"] if side == "baseline" else number,
                    month["period_label"], row["target"], row["name"], row["metric"],
                    row["service"], row["type"], row["priority"], row["objective_percent"],
                    row["met"], row["breached"], row["open"], row["compliance_percent"],
                    row["objective_met"], row["shortfall"], row["credit_due"])])
    return out.getvalue().encode()
