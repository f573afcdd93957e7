"""The service report as PDF, drawn by WeasyPrint from the same HTML as the download (the
document's <title> becomes the PDF's title).

WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz-subset0 and
a font such as fonts-dejavu-core); ``scripts/test`` installs them when they are missing. It is
imported on first use: a server that never renders a PDF never loads it.
"""

import logging

from .render_html import render_html

# WeasyPrint logs every layout step at INFO: one line per page of every report.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_pdf(doc: dict) -> bytes:
    from weasyprint import HTML  # heavy import; only when a PDF is asked for

    return HTML(string=render_html(doc)).write_pdf()
