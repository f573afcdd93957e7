"""The service report as an Excel workbook (openpyxl): one sheet per section, figures as real
numbers (percentages, counts, money, hours), dates as naive values in the reporting zone, the
zone named in a header cell of every sheet with dates."""

from datetime import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .document import money, number

BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="F0F2F5")
PERCENT = "0.00"
MONEY = "#,##0.00"
WHEN = "yyyy-mm-dd hh:mm"


def _naive(value: datetime | None):
    """An aware instant as the wall time of its zone (the document's values are already in
    the reporting zone), which is what Excel can hold."""
    return None if value is None else value.replace(tzinfo=None)


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list],
           formats: dict[int, str] | None = None, widths: dict[int, int] | None = None):
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font, cell.fill = BOLD, HEAD_FILL
    for row in rows:
        sheet.append(row)
    for col, fmt in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = fmt
    for col in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(col)].width = (widths or {}).get(col, 16)
    sheet.freeze_panes = "A2"
    return sheet


def _light_words(row: dict) -> str:
    return row["light_words"]


def render_xlsx(doc: dict) -> bytes:
    book = Workbook()
    book.remove(book.active)
    zone = doc["period"]["time_zone"]
    header, summary, report = doc["header"], doc["summary"], doc["report"]

    summary_rows = [
        ["Agreement", header["reference"]],
        ["Name", header["name"]],
        ["Provider", header["provider"]],
        [header["counterparty_role"], header["counterparty"] or ""],
        ["Versions in force", ", ".join(f"v{v}" for v in report.get("versions", []))],
        ["Period", doc["period"]["label"]],
        ["Period start", _naive(doc["period"]["start"])],
        ["Period end", _naive(doc["period"]["end"])],
        ["Generated", _naive(doc["generated_at"])],
        ["Objectives met", summary["met"]],
        ["Objectives missed", summary["missed"]],
        ["Targets with no data", summary["no_data"]],
        ["Breaches", summary["breaches"]],
        ["Credits due", money(summary["credits_total"])],
        ["Credits before the cap", money(summary["credits_uncapped"])],
        ["Currency", summary["currency"]],
    ]
    sheet = _sheet(book, "Summary", ["Time zone", zone], summary_rows, widths={1: 26, 2: 30})
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        cell = row[0]
        if isinstance(cell.value, datetime):
            cell.number_format = WHEN
        elif sheet.cell(cell.row, 1).value.startswith("Credits"):
            cell.number_format = MONEY

    _sheet(book, "Targets", [
        "Target", "Name", "Version", "Metric", "Service", "Type", "Priority", "Objective %",
        "Met", "Breached", "Excluded", "Open", "Ended", "Compliance %", "Compliance % raw",
        "Outcome", "Shortfall", "Credit due", "Currency",
    ], [[
        r["target"], r.get("name") or "", r.get("version"), r.get("metric"),
        r.get("service") or "", (r.get("key") or {}).get("type") or "", r.get("priority") or "",
        number(r.get("objective_percent")), r.get("met"), r.get("breached"), r.get("excluded"),
        r.get("open"), r.get("ended"), number(r.get("compliance_percent")),
        number(r.get("compliance_percent_raw")), _light_words(r), r.get("shortfall"),
        money(r.get("credit_due")), summary["currency"],
    ] for r in doc["targets"]], formats={8: PERCENT, 14: PERCENT, 15: PERCENT, 18: MONEY},
        widths={2: 26, 16: 30})

    _sheet(book, "Trend", ["Target", "Key", *doc["trend_labels"]], [
        [c["name"], c["key_words"], *[p.value for p in c["points"]]]
        for c in doc["trend_charts"]
    ], formats={i: PERCENT for i in range(3, 3 + len(doc["trend_labels"]))},
        widths={1: 26, 2: 34})

    _sheet(book, "Availability", [
        "Target", "Service", "Target %", "Measured %", "Downtime (minutes)", "Outages",
        "Outcome", "Credit due",
    ], [[
        a.get("target"), a.get("service"), number(a.get("target_percent")),
        number(a.get("measured_percent")), number(a.get("downtime_minutes")), a.get("outages"),
        a["light_words"], money(a.get("credit_due")),
    ] for a in doc["availability"]], formats={3: "0.000", 4: "0.000", 5: "0.0", 8: MONEY},
        widths={7: 30})

    sheet = _sheet(book, "Breaches", [
        "Ticket", "Target", "Metric", "Priority", f"Breached at ({zone})",
        "Business time over (hours)", "Escalation level reached", "Recorded decision",
        "Decided by",
    ], [[
        b.get("ticket"), b.get("target_name"), b.get("metric"), b.get("priority") or "",
        _naive(b.get("breached_local")),
        None if b.get("over_seconds") is None else round(float(b["over_seconds"]) / 3600, 4),
        b.get("level") or "", b.get("decision") or "", b.get("decided_by") or "",
    ] for b in doc["breaches"]], formats={5: WHEN, 6: "0.00"}, widths={2: 26, 5: 24, 8: 40})

    _sheet(book, "Attribution", [
        "Party", "Kind", "Business time held (hours)", "Share %",
    ], [[a["party"], a["role_words"], a["hours"], a["share"]] for a in doc["attribution"]],
        formats={3: "0.00", 4: "0.0"}, widths={1: 30, 2: 20})

    kpi_rows = []
    for k in doc["kpis"]:
        history = k["history"]
        if isinstance(k["value"], dict) or any(isinstance(v, dict) for _, v in history):
            names = list(dict.fromkeys(
                [*(k["value"] or {}).keys()]
                + [n for _, v in history if isinstance(v, dict) for n in v]))
            for name in names:
                kpi_rows.append([f"{k['label']}: {name}", f"{k['key']}.{name}",
                                 *[(v or {}).get(name, 0) if v is not None else None
                                   for _, v in history]])
        else:
            kpi_rows.append([k["label"], k["key"], *[number(v) for _, v in history]])
    _sheet(book, "KPIs", ["Indicator", "Key", *doc["trend_labels"]], kpi_rows,
           widths={1: 44, 2: 30})

    _sheet(book, "Notes", ["Note"], [[n] for n in doc["notes"]], widths={1: 120})

    out = BytesIO()
    book.save(out)
    return out.getvalue()
