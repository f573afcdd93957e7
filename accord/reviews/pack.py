"""The review pack: the frozen figures, minutes, decisions, verdicts and the actions raised,
as PDF (WeasyPrint, from HTML) or XLSX (openpyxl, one sheet per section)."""

import io

from django.template.loader import render_to_string

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def pack_context(review) -> dict:
    figures = review.figures or {}
    return {
        "review": review,
        "agreement": review.agreement,
        "figures": figures,
        "rows": figures.get("targets", []),
        "decisions": list(review.decisions.select_related("recorded_by")),
        "verdicts": list(review.verdicts.select_related("target", "draft")),
        "actions": list(review.actions.select_related("owner")),
    }


def render_html(review) -> str:
    return render_to_string("reviews/pack.html", pack_context(review))


def render_pack(review, fmt: str) -> bytes:
    if fmt == "pdf":
        from weasyprint import HTML

        return HTML(string=render_html(review)).write_pdf()
    if fmt == "xlsx":
        return _xlsx(review)
    raise ValueError(fmt)


def _xlsx(review) -> bytes:
    from openpyxl import Workbook

    ctx = pack_context(review)
    book = Workbook()
    summary = book.active
    summary.title = "Review"
    for row in (("Agreement", review.agreement.reference), ("Name", review.agreement.name),
                ("Kind", review.get_kind_display()), ("Period", review.period),
                ("Status", review.status), ("Due", review.due),
                ("Held on", review.held_on), ("Figures frozen at",
                                              review.figures_at.isoformat()
                                              if review.figures_at else None),
                ("Attendees", ", ".join(f"{a['name']} ({a['party']})"
                                        for a in review.attendees)),
                ("Minutes", review.minutes)):
        summary.append(list(row))
    figures = book.create_sheet("Figures")
    figures.append(["Target", "Version", "Met", "Breached", "Excluded", "Compliance %",
                    "Raw compliance %", "Objective %", "Objective met", "Credit due"])
    for r in ctx["rows"]:
        figures.append([r["name"], r["version"], r["met"], r["breached"], r["excluded"],
                        r["compliance_percent"], r["compliance_percent_raw"],
                        r["objective_percent"], r["objective_met"],
                        float(r["credit_due"]) if r.get("credit_due") else None])
    decisions = book.create_sheet("Decisions")
    decisions.append(["Who", "What", "When", "Corrects"])
    for d in ctx["decisions"]:
        decisions.append([d.who, d.what, d.decided_on, d.corrects_id])
    verdicts = book.create_sheet("Verdicts")
    verdicts.append(["Target", "Verdict", "Objective %", "Duration (s)", "Draft version",
                     "Note"])
    for v in ctx["verdicts"]:
        verdicts.append([str(v.target), v.verdict,
                         float(v.objective_percent) if v.objective_percent is not None
                         else None, v.duration_seconds,
                         v.draft.number if v.draft_id else None, v.note])
    actions = book.create_sheet("Actions")
    actions.append(["Id", "Title", "Owner", "Due", "Status", "Evidence"])
    for a in ctx["actions"]:
        actions.append([a.pk, a.title, a.owner.username if a.owner_id else None, a.due,
                        a.status, a.evidence])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
