"""Renderings of a compliance report, by format name: ``FORMATS[name].render(report)``.

This module holds ``json`` and ``csv``; the HTML, PDF and XLSX renderers register themselves
here (``register``) from their own modules. ``KNOWN`` lists every format the CLI accepts;
asking for one whose renderer is not installed is a clear error, not an empty file.
"""

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from accord.lib.errors import InvalidInput

KNOWN = ("pdf", "xlsx", "csv", "html", "json")


@dataclass(frozen=True)
class Format:
    name: str
    content_type: str
    extension: str
    render: Callable[[dict], bytes]


def render_json(report: dict) -> bytes:
    return (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode()


TARGET_COLUMNS = (
    "agreement", "version", "target", "name", "metric", "service", "type", "priority",
    "objective_percent", "objective_period", "met", "breached", "excluded", "open", "ended",
    "compliance_percent", "compliance_percent_raw", "objective_met", "shortfall",
    "credit_basis", "credit_due", "credit_note",
    # Experience (XLA) rows: their measure and value instead of clock counts.
    "measure", "value", "responses", "threshold", "direction",
)
AVAILABILITY_COLUMNS = (
    "agreement", "version", "target", "name", "service", "target_percent", "measured_percent",
    "agreed_minutes", "downtime_minutes", "outages", "met", "credit_basis", "credit_due",
)
ATTRIBUTION_COLUMNS = ("holder", "role", "name", "business_seconds", "breaches_mostly_held")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def render_csv(report: dict) -> bytes:
    """Sections one after another, each with a title line and a header row: the report's
    header, targets, availability, attribution of breached time, KPIs and credits."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    period = report["period"]
    w.writerow(["report", "agreement", "versions", "period_start", "period_end", "time_zone"])
    w.writerow(["compliance", report["agreement"], " ".join(map(str, report["versions"])),
                period["start"], period["end"], period["time_zone"]])
    for title, columns, rows in (("targets", TARGET_COLUMNS, report["targets"]),
                                 ("availability", AVAILABILITY_COLUMNS, report["availability"]),
                                 ("attribution", ATTRIBUTION_COLUMNS,
                                  report.get("attribution", []))):
        w.writerow([])
        w.writerow([title])
        w.writerow(columns)
        for row in rows:
            w.writerow([_cell(row.get(c)) for c in columns])
    w.writerow([])
    w.writerow(["kpis"])
    w.writerow(["kpi", "value"])
    for key, value in report["kpis"].items():
        w.writerow([key, json.dumps(value) if isinstance(value, dict) else _cell(value)])
    w.writerow([])
    w.writerow(["credits"])
    w.writerow(["credits_total", "credits_uncapped", "currency", "credit_direction"])
    w.writerow([_cell(report.get(k)) for k in
                ("credits_total", "credits_uncapped", "currency", "credit_direction")])
    return out.getvalue().encode()


def _document(name: str) -> Callable[[dict], bytes]:
    """The monthly service report as a document (reporting.service_report), imported on use."""
    def render(report: dict) -> bytes:
        from .service_report import render_report

        return render_report(report, name)
    return render


FORMATS: dict[str, Format] = {
    "json": Format("json", "application/json", "json", render_json),
    "csv": Format("csv", "text/csv; charset=utf-8", "csv", render_csv),
    "html": Format("html", "text/html; charset=utf-8", "html", _document("html")),
    "pdf": Format("pdf", "application/pdf", "pdf", _document("pdf")),
    "xlsx": Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   "xlsx", _document("xlsx")),
}


def register(fmt: Format) -> None:
    """Add (or replace) a renderer, e.g. ``register(Format("pdf", ...))``."""
    FORMATS[fmt.name] = fmt


def get_format(name: str, field: str = "format") -> Format:
    if name not in KNOWN and name not in FORMATS:
        raise InvalidInput(f"{field} must be one of {', '.join(KNOWN)}, got {name!r}", field)
    if name not in FORMATS:
        raise InvalidInput(f"the {name} format is not available in this installation yet; "
                           f"available: {', '.join(sorted(FORMATS))}", field)
    return FORMATS[name]


def default_filename(report: dict, name: str) -> str:
    """SLA-0001-2025-03.pdf, SLA-0001-2025-Q1.pdf, SLA-0001-2025.pdf."""
    fmt = FORMATS.get(name)
    extension = fmt.extension if fmt else name
    return f"{report['agreement']}-{report['period_label']}.{extension}"
