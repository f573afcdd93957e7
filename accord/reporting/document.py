"""The monthly service report as one document: the compliance report (the one function's
JSON) plus what a customer reads beside it — header, ten-second summary, 12-period trends,
breaches with their escalation and decision, OLA/UC attribution, KPIs, notes.

``assemble`` is pure (dicts in, dict out) so every renderer — HTML, PDF, XLSX — shows the
same figures from the same document; ``build`` (in ``service_report``) gathers its inputs.

Words (issue 9): a **breach** is one clock that exceeded its target; a period below its
objective has **missed its objective**.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from accord.agreements.choices import ExperienceMeasure

from . import charts
from .periods import Period

_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
KIND_TITLE = {"month": "Monthly", "quarter": "Quarterly", "year": "Annual"}


def period_title(period: Period) -> str:
    """"March 2025", "Q1 2025", "2025"."""
    if period.kind == "month":
        return f"{_MONTH_NAMES[period.month - 1]} {period.year}"
    if period.kind == "quarter":
        return f"Q{(period.month - 1) // 3 + 1} {period.year}"
    return str(period.year)


def trailing(period: Period, n: int) -> list[Period]:
    """The ``n`` periods ending with ``period``, oldest first."""
    return [period.shift(i) for i in range(-(n - 1), 1)]


# The PDF and HTML list this many breaches (the spreadsheet lists them all).
BREACHES_SHOWN = 100
# A target that met its objective by less than this many percentage points shows amber.
EDGE_POINTS = 1.0

KPI_LABELS = {
    "targets_met_percent": ("Targets that met their objective", "%"),
    "objectives_missed": ("Objectives missed", ""),
    "breaches_by_priority": ("Breaches by priority", ""),
    "breaches_by_metric": ("Breaches by metric", ""),
    "breaches_by_party": ("Breaches by party (from attribution)", ""),
    "services_with_current_sla_percent": ("Services with a current SLA", "%"),
    "agreements_review_overdue": ("Agreements with a review overdue", ""),
    "time_to_agree_days_median": ("Time to agree, median (days)", ""),
    "experience": ("Experience", ""),
    "response_p50_seconds": ("Response time, median (business time)", "s"),
    "response_p90_seconds": ("Response time, 90th percentile (business time)", "s"),
    "resolution_p50_seconds": ("Resolution time, median (business time)", "s"),
    "resolution_p90_seconds": ("Resolution time, 90th percentile (business time)", "s"),
    "open_at_risk": ("Clocks open and at risk now", ""),
}

MEASURE_LABELS = dict(ExperienceMeasure.choices)

LIGHT_WORDS = {
    "met": "met its objective",
    "edge": "met its objective, within 1 point",
    "missed": "missed its objective",
    "no_data": "no data",
}


def number(value) -> float | None:
    """A figure from the JSON (number or numeric string) as a float; None stays None."""
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def money(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def duration_words(seconds) -> str:
    """Business time as people say it: "45 min", "3 h 20 min", "2 d 4 h"."""
    if seconds is None:
        return "—"
    seconds = int(abs(float(seconds)))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{seconds} s"


def light(row: dict) -> str:
    met = row.get("objective_met")
    if met is None:
        return "no_data"
    if not met:
        return "missed"
    percent, objective = number(row.get("compliance_percent")), number(
        row.get("objective_percent"))
    if percent is not None and objective is not None and percent - objective < EDGE_POINTS \
            and percent < 100:
        return "edge"
    return "met"


def key_of(row: dict) -> tuple:
    key = row.get("key") or {}
    return (key.get("metric", row.get("metric")), key.get("service", row.get("service")),
            key.get("type"), key.get("priority", row.get("priority")))


def _key_words(key: tuple) -> str:
    metric, service, ticket_type, priority = key
    return " · ".join(str(part) for part in (metric, service, ticket_type, priority) if part)


def merged_percent(rows: list[dict]) -> float | None:
    """Compliance of several rows of one key (two versions in one period): the sums, with
    the one definition met / (met + breached − excluded)."""
    met = sum(int(r.get("met") or 0) for r in rows)
    counted = met + sum(int(r.get("breached") or 0) - int(r.get("excluded") or 0)
                        for r in rows)
    if counted <= 0:
        return None
    return round(100 * met / counted, 2)


def _instant(text, zone: ZoneInfo) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text) if isinstance(text, str) else text
    return value.astimezone(zone)


def _trends(trend: list[tuple[Period, dict | None]], keys: list[tuple]) -> dict:
    """{key: [charts.Point]} over the trailing periods, versions merged per key."""
    out = {key: [] for key in keys}
    for label, report in trend:
        rows_by_key: dict[tuple, list] = {}
        for row in (report or {}).get("targets", []):
            rows_by_key.setdefault(key_of(row), []).append(row)
        for key in keys:
            rows = rows_by_key.get(key, [])
            out[key].append(charts.Point(label.label, merged_percent(rows) if rows else None))
    return out


ROLE_WORDS = {"team": "internal team (OLA)", "supplier": "supplier (UC)",
              "unassigned": "nobody assigned"}


def _attribution(table: list[dict]) -> list[dict]:
    """The report's attribution of breached business time, most first, with shares."""
    total = sum(float(a.get("business_seconds") or 0) for a in table)
    rows = []
    for a in table:
        seconds = float(a.get("business_seconds") or 0)
        role = a.get("role") if a.get("role") in ROLE_WORDS else "unassigned"
        rows.append({
            "party": a.get("name") or "—", "role": role,
            "role_words": ROLE_WORDS[role], "seconds": seconds,
            "hours": round(seconds / 3600, 2), "words": duration_words(seconds),
            "share": round(100 * seconds / total, 1) if total else None,
            "breaches_mostly_held": a.get("breaches_mostly_held"),
        })
    return sorted(rows, key=lambda r: (-r["seconds"], r["party"]))


def _experience_words(values: dict) -> str:
    """The measured experience values by their names ("CSAT average (1-5): 4.2; ..."),
    the ones without data left out; "not measured" when none has data."""
    measured = [f"{MEASURE_LABELS.get(k, k)}: {_fmt_figure(v)}" for k, v in values.items()
                if v is not None]
    return "; ".join(measured) or "not measured"


def _fmt_figure(value) -> str:
    figure = number(value)
    return str(value) if figure is None else f"{figure:.2f}".rstrip("0").rstrip(".")


def _kpi_rows(kpis: dict, trend: list[tuple[Period, dict | None]]) -> list[dict]:
    rows = []
    for key, (label, unit) in KPI_LABELS.items():
        if key not in kpis:
            continue
        value = kpis[key]
        history = [(p.label, (r or {}).get("kpis", {}).get(key)) for p, r in trend]
        if key == "experience" and isinstance(value, dict):
            shown = _experience_words(value)
        elif isinstance(value, dict):
            shown = ", ".join(f"{k}: {v}" for k, v in value.items()) or "none"
        elif value is None:
            shown = "no data" if key != "experience" else "not measured"
        elif unit == "s":
            shown = duration_words(value)
        elif unit == "%":
            shown = f"{number(value):.2f} %"
        else:
            shown = str(value)
        rows.append({"key": key, "label": label, "unit": unit, "value": value,
                     "shown": shown, "history": history})
    return rows


def _notes(report: dict, targets: list[dict], currency: str) -> list[str]:
    notes = [
        "A breach is one clock that exceeded its target. A target whose compliance in the "
        "period fell below its objective has missed its objective.",
        "Compliance = met ÷ (met + breached − excluded) × 100. Excluded breaches are approved "
        "exclusions; clocks still open at the end of the period are not counted yet.",
        f"Periods, dates and times are in the reporting time zone, "
        f"{report['period']['time_zone']}.",
    ]
    if any(r.get("open") for r in targets):
        notes.append("Open clocks (running or paused at the end of the period) count in the "
                     "period in which their outcome becomes certain.")
    if any(r.get("ended") for r in targets):
        notes.append("Ended clocks (closed because their agreement ended) are counted apart "
                     "and not in compliance.")
    if any(r.get("objective_met") is None for r in targets):
        notes.append("“No data”: no clock of that target was counted in the period; it is "
                     "neither met nor missed.")
    without_credit = [r for r in targets if r.get("credit_due") is None
                      and r.get("objective_met") is False]
    for row in without_credit:
        why = row.get("credit_note") or row.get("credit_reason") or (
            "the target has no credit amount, or no credit percent with a monthly charge")
        notes.append(f"No credit for {row.get('name') or 'target ' + str(row['target'])}: "
                     f"{why}.")
    total, uncapped = money(report.get("credits_total")), money(report.get("credits_uncapped"))
    if total is not None and uncapped is not None and uncapped > total:
        notes.append(f"Credits are capped: {uncapped} {currency} due before the cap, "
                     f"{total} {currency} after it.")
    return notes


def assemble(report: dict, *, period: Period, header: dict,
             trend: list[tuple[Period, dict | None]], breaches: list[dict],
             now: datetime) -> dict:
    """The document every renderer draws. ``trend`` is the trailing 12 periods (oldest
    first, this one last) as (label, compliance report or None)."""
    zone = ZoneInfo(report["period"]["time_zone"])
    currency = report.get("currency") or ""
    targets = []
    for row in report.get("targets", []):
        state = light(row)
        targets.append({**row, "light": state, "light_words": LIGHT_WORDS[state],
                        "light_svg": charts.traffic_light(state, LIGHT_WORDS[state]),
                        "key_words": _key_words(key_of(row))})
    keys = list(dict.fromkeys(key_of(r) for r in targets))
    trends = _trends(trend, keys)
    objectives = {}
    for row in targets:
        objectives.setdefault(key_of(row), number(row.get("objective_percent")))
    trend_charts = []
    for key in keys:
        name = next(r.get("name") for r in targets if key_of(r) == key) or _key_words(key)
        points = trends[key]
        trend_charts.append({
            "key_words": _key_words(key), "name": name, "points": points,
            "svg": charts.trend_chart(points, objectives[key], width=300, height=120,
                                      title=f"{name}: compliance over 12 periods"),
        })
    counts = {state: sum(1 for r in targets if r["light"] == state) for state in LIGHT_WORDS}
    availability = []
    for row in report.get("availability", []):
        met = row.get("met")
        state = "no_data" if met is None else ("met" if met else "missed")
        availability.append({**row, "light": state, "light_words": LIGHT_WORDS[state],
                             "light_svg": charts.traffic_light(state, LIGHT_WORDS[state])})
    attribution = _attribution(report.get("attribution") or [])
    names = {row["target"]: row.get("name") for row in report.get("targets", [])}
    kpis = _kpi_rows(report.get("kpis") or {}, trend)
    breaches_by_priority = (report.get("kpis") or {}).get("breaches_by_priority") or {}
    return {
        "report": report,
        "header": header,
        "period": {
            "label": period.label, "title": period_title(period), "kind": period.kind,
            "kind_title": KIND_TITLE[period.kind],
            "start": _instant(report["period"]["start"], zone),
            "end": _instant(report["period"]["end"], zone),
            "time_zone": report["period"]["time_zone"],
        },
        "generated_at": now.astimezone(zone),
        "summary": {
            "met": counts["met"] + counts["edge"], "edge": counts["edge"],
            "missed": counts["missed"], "no_data": counts["no_data"],
            "breaches": sum(int(r.get("breached") or 0) for r in targets),
            "credits_total": report.get("credits_total"),
            "credits_uncapped": report.get("credits_uncapped"),
            "currency": currency,
            "capped": (money(report.get("credits_uncapped")) or 0)
            > (money(report.get("credits_total")) or 0),
            "availability_missed": sum(1 for a in availability if a["light"] == "missed"),
        },
        "targets": targets,
        "trend_labels": [p.label for p, _ in trend],
        "trend_charts": trend_charts,
        "availability": availability,
        "breaches": [{**b, "target_name": names.get(b.get("target"), b.get("target_name")),
                      "over_words": duration_words(b.get("over_seconds")),
                      "breached_local": _instant(b.get("breached_at"), zone)}
                     for b in breaches],
        "breaches_total": len(breaches),
        "breaches_shown": BREACHES_SHOWN,
        "attribution": attribution,
        "kpis": kpis,
        "breaches_chart": charts.bar_chart(
            sorted(((str(k), float(v)) for k, v in breaches_by_priority.items()),
                   key=lambda kv: kv[0]),
            title="Breaches by priority", bar_height=14),
        "notes": _notes(report, targets, currency),
    }
