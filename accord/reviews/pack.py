"""The review pack: the frozen figures, minutes, decisions, verdicts, the actions raised and
the customer feedback, complaints and compliments of the period, as PDF (WeasyPrint, from
HTML) or XLSX (openpyxl, one sheet per section)."""

import io
from datetime import UTC

from django.template.loader import render_to_string

from .feedback import NOUNS, review_feedback

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def pack_context(review, *, now, user=None) -> dict:
    """``user``: whose pack (only the feedback they may see); None for the command line."""
    figures = review.figures or {}
    return {
        "review": review,
        "agreement": review.agreement,
        "figures": figures,
        "rows": figures.get("targets", []),
        "decisions": list(review.decisions.select_related("recorded_by")),
        "verdicts": list(review.verdicts.select_related("target", "draft")),
        "actions": list(review.actions.select_related("owner")),
        "feedback": review_feedback(review, now, user),
    }


def render_html(review, *, now, user=None) -> str:
    return render_to_string("reviews/pack.html", pack_context(review, now=now, user=user))


def render_pack(review, fmt: str, *, now, user=None) -> bytes:
    if fmt == "pdf":
        from weasyprint import HTML

        return HTML(string=render_html(review, now=now, user=user)).write_pdf()
    if fmt == "xlsx":
        return _xlsx(review, now=now, user=user)
    raise ValueError(fmt)


def _xlsx(review, *, now, user) -> bytes:
    from openpyxl import Workbook

    ctx = pack_context(review, now=now, user=user)
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
    feedback = book.create_sheet("Feedback")
    found = ctx["feedback"]
    feedback.append([f"Feedback of {found['period']}"] + [
        f"{n} {NOUNS[kind][n != 1]}" for kind, n in found["counts"].items()])
    feedback.append(["When (UTC)", "Kind", "Score", "Scale", "Service", "Ticket", "Text"])
    for f in found["items"]:
        feedback.append([f.at.astimezone(UTC).replace(tzinfo=None), f.get_kind_display(),
                         f.score, f.scale, f.service.name if f.service_id else None,
                         f.ticket_ref or None, f.text])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
