"""Build the monthly service report of one agreement and period: the compliance function's
JSON for this period and the eleven before it (trends), the breach list and attribution, the
header — then ``document.assemble``. Every renderer draws the result.

``RENDERERS`` maps each document format to (content type, file extension, renderer).
"""

from datetime import datetime

from accord.agreements.choices import AgreementKind
from accord.agreements.models import Agreement

from . import breaches as breach_queries
from .document import assemble
from .labels import PeriodLabel
from .render_html import render_html_bytes
from .render_pdf import render_pdf
from .render_xlsx import render_xlsx

TREND_PERIODS = 12

COUNTERPARTY_ROLE = {AgreementKind.SLA: "Customer", AgreementKind.OLA: "Internal team",
                     AgreementKind.UC: "Supplier"}

RENDERERS = {
    "html": ("text/html; charset=utf-8", "html", render_html_bytes),
    "pdf": ("application/pdf", "pdf", render_pdf),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
             render_xlsx),
}


def compliance(agreement: Agreement, period: PeriodLabel, now: datetime, *,
               include_children: bool = False) -> dict:
    """The one compliance function (``compliance.compliance_report``) for a period label."""
    from .compliance import compliance_report

    return compliance_report(agreement, **{period.kind: period.label}, now=now,
                             include_children=include_children)


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
        "counterparty": str(agreement.counterparty) if agreement.counterparty else "",
        "services": list(agreement.services.order_by("name").values_list("name", flat=True)),
    }


def agreement_ids(agreement: Agreement, include_children: bool) -> list[int]:
    """The agreement, and with ``include_children`` every agreement below it in the chain."""
    ids, frontier = [agreement.pk], [agreement.pk]
    while include_children and frontier:
        frontier = list(Agreement.objects.filter(parent_id__in=frontier).exclude(
            pk__in=ids).values_list("pk", flat=True))
        ids += frontier
    return ids


def build(agreement: Agreement, period: PeriodLabel, now: datetime, *,
          include_children: bool = False, report: dict | None = None) -> dict:
    """The document of ``agreement`` for ``period`` as of ``now`` (``report``: its compliance
    JSON when the caller has it already)."""
    report = report or compliance(agreement, period, now, include_children=include_children)
    trend = []
    for label in period.trailing(TREND_PERIODS)[:-1]:
        trend.append((label, compliance(agreement, label, now,
                                        include_children=include_children)))
    trend.append((period, report))
    start = datetime.fromisoformat(report["period"]["start"])
    end = datetime.fromisoformat(report["period"]["end"])
    ids = agreement_ids(agreement, include_children)
    return assemble(
        report, period=period, header=header_of(agreement), trend=trend,
        breaches=breach_queries.breach_rows(ids, start, end, now),
        attribution=breach_queries.attribution(ids, start, end, now),
        now=now,
    )


def file_name(agreement: Agreement, period: PeriodLabel, extension: str) -> str:
    """``SLA-0001-2025-03.pdf`` (``…-2025-Q1…``, ``…-2025…``), as the CLI names them."""
    return f"{agreement.reference}-{period.label}.{extension}"


def render(agreement: Agreement, period: PeriodLabel, fmt: str, now: datetime, *,
           include_children: bool = False) -> tuple[bytes, str, str]:
    """(content, content type, file name) of one document format."""
    content_type, extension, renderer = RENDERERS[fmt]
    doc = build(agreement, period, now, include_children=include_children)
    return renderer(doc), content_type, file_name(agreement, period, extension)
