"""The service report as one self-contained HTML file (styles inline, charts as inline SVG):
what the HTML download sends and what WeasyPrint turns into the PDF."""

from django.template.loader import render_to_string


def render_html(doc: dict, *, inline_stylesheet: bool = True) -> str:
    """``inline_stylesheet=False``: without report.css (the PDF renderer brings it parsed)."""
    return render_to_string("reporting/service_report.html",
                            {"doc": doc, "inline_stylesheet": inline_stylesheet})


def render_html_bytes(doc: dict) -> bytes:
    return render_html(doc).encode("utf-8")
