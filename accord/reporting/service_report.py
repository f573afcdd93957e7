"""Build the monthly service report of one agreement and period: the compliance function's
JSON for this period and the eleven before it (trends), the breach list and attribution, the
header — then ``document.assemble``. Every renderer draws the result.

``RENDERERS`` maps each document format to (content type, file extension, renderer).
"""

from collections.abc import Iterable, Iterator
from datetime import datetime

from accord.agreements.choices import AgreementKind
from accord.agreements.models import Agreement

from . import breaches as breach_queries
from .compliance import agreement_chain, compliance_report
from .document import assemble, trailing
from .periods import Period
from .render_html import render_html, render_html_bytes
from .render_pdf import render_pdf, render_pdfs
from .render_xlsx import render_xlsx
from .trend import compliance_trend

TREND_PERIODS = 12
# The workbook has a KPI sheet with each KPI's 12-period trend: it needs full reports.
KPI_TREND_FORMATS = ("xlsx",)

COUNTERPARTY_ROLE = {AgreementKind.SLA: "Customer", AgreementKind.OLA: "Internal team",
                     AgreementKind.UC: "Supplier"}

RENDERERS = {
    "html": ("text/html; charset=utf-8", "html", render_html_bytes),
    "pdf": ("application/pdf", "pdf", render_pdf),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
             render_xlsx),
}


def compliance(agreement: Agreement, period: Period, now: datetime, *,
               include_children: bool = False) -> dict:
    """The one compliance function (``compliance.compliance_report``)."""
    return compliance_report(agreement, period, now=now, include_children=include_children)


def header_of(agreement: Agreement) -> dict:
    owner = agreement.owner
    provider = "Service provider"
    if owner is not None:
        provider += f" (owner {owner.get_full_name() or owner.username})"
    return {
        "reference": agreement.reference,
        "name": agreement.name,
        "kind": agreement.kind,
        "provider": provider,
        "counterparty_role": COUNTERPARTY_ROLE.get(agreement.kind, "Counterparty"),
        "counterparty": str(agreement.counterparty) if agreement.counterparty else (
            "all customers" if agreement.kind == AgreementKind.SLA else ""),
        "services": list(agreement.services.order_by("name").values_list("name", flat=True)),
    }


def counts_trend(agreement: Agreement, period: Period, now: datetime, *,
                 include_children: bool = False) -> list[tuple[Period, dict]]:
    """The 12 periods ending with ``period``, each with its target rows as far as the trend
    charts need them (key, met, breached), from the core's ``compliance_trend`` (one
    aggregation over all 12) instead of one full compliance report per period."""
    trend = compliance_trend(agreement, period, now=now, count=TREND_PERIODS,
                             include_children=include_children)
    periods = trailing(period, TREND_PERIODS)
    rows = [[] for _ in periods]
    for series in trend["series"]:
        for i, point in enumerate(series["points"]):
            if point["met"] or point["breached"]:
                rows[i].append({"target": series["target"], "key": series["key"],
                                "met": point["met"], "breached": point["breached"],
                                "excluded": point.get("excluded", 0)})
    return [(p, {"targets": rows[i]}) for i, p in enumerate(periods)]


def build(agreement: Agreement, period: Period, now: datetime, *,
          include_children: bool = False, report: dict | None = None,
          kpi_trend: bool = False) -> dict:
    """The document of ``agreement`` for ``period`` as of ``now`` (``report``: its compliance
    JSON when the caller has it already). ``kpi_trend``: the earlier periods as full
    compliance reports (their KPIs too, for the workbook's KPI sheet), not only the counts
    the trend charts need."""
    period = period.in_zone(agreement.reporting_zone)
    report = report or compliance(agreement, period, now, include_children=include_children)
    if kpi_trend:
        trend = [(p, compliance(agreement, p, now, include_children=include_children))
                 for p in trailing(period, TREND_PERIODS)[:-1]]
    else:
        trend = counts_trend(agreement, period, now,
                             include_children=include_children)[:-1]
    trend.append((period, report))
    ids = [a.pk for a in agreement_chain(agreement, include_children)]
    return assemble(
        report, period=period, header=header_of(agreement), trend=trend,
        breaches=breach_queries.breach_rows(ids, period.start_utc, period.end_utc, now),
        now=now,
    )


def build_from_report(report: dict, *, kpi_trend: bool = False) -> dict:
    """The document of a compliance report (its agreement, period, ``as_of`` and
    ``include_children``): what the export formats render."""
    agreement = Agreement.objects.select_related("calendar", "customer", "team", "supplier",
                                                 "owner").get(pk=report["agreement_id"])
    period = Period.parse(report["period_label"], tz=report["period"]["time_zone"])
    return build(agreement, period, datetime.fromisoformat(report["as_of"]),
                 include_children=bool(report.get("include_children")), report=report,
                 kpi_trend=kpi_trend)


def render_report(report: dict, fmt: str) -> bytes:
    """A compliance report as one of the document formats (html, pdf, xlsx)."""
    return RENDERERS[fmt][2](build_from_report(report, kpi_trend=fmt in KPI_TREND_FORMATS))


def file_name(agreement: Agreement, period: Period, extension: str) -> str:
    """``SLA-0001-2025-03.pdf`` (``…-2025-Q1…``, ``…-2025…``), as the CLI names them."""
    return f"{agreement.reference}-{period.label}.{extension}"


def render(agreement: Agreement, period: Period, fmt: str, now: datetime, *,
           include_children: bool = False) -> tuple[bytes, str, str]:
    """(content, content type, file name) of one document format."""
    content_type, extension, renderer = RENDERERS[fmt]
    doc = build(agreement, period, now, include_children=include_children,
                kpi_trend=fmt in KPI_TREND_FORMATS)
    return renderer(doc), content_type, file_name(agreement, period, extension)


def render_many(jobs: Iterable[tuple[Agreement, Period]], fmt: str, now: datetime, *,
                workers: int = 1) -> Iterator[tuple[Agreement, Period, bytes, str]]:
    """(agreement, period, content, file name) of each job's document, in the jobs' order.
    PDFs are laid out on ``workers`` processes (``render_pdf.render_pdfs``) while this
    process reads the next documents' figures from the database."""
    jobs = list(jobs)
    _, extension, renderer = RENDERERS[fmt]
    if fmt == "pdf":
        contents = render_pdfs(
            (render_html(build(agreement, period, now), inline_stylesheet=False)
             for agreement, period in jobs), workers)
    else:
        contents = (renderer(build(agreement, period, now,
                                   kpi_trend=fmt in KPI_TREND_FORMATS))
                    for agreement, period in jobs)
    for (agreement, period), content in zip(jobs, contents, strict=True):
        yield agreement, period, content, file_name(agreement, period, extension)
