"""The service report as one self-contained HTML file (styles inline, charts as inline SVG):
what the HTML download sends and what WeasyPrint turns into the PDF."""

from django.template.loader import render_to_string


def render_html(doc: dict) -> str:
    return render_to_string("reporting/service_report.html", {"doc": doc})


def render_html_bytes(doc: dict) -> bytes:
    return render_html(doc).encode("utf-8")
