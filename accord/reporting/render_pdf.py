"""The service report as PDF, drawn by WeasyPrint from the same HTML as the download (the
document's <title> becomes the PDF's title).

Layout is most of a report's cost, so this module keeps what does not change between
documents: each process (and thread: Pango's font map is not thread-safe) parses
report.css once and keeps one FontConfiguration, whose fonts Pango then loads once.
``render_pdfs`` lays several documents out on a pool of processes (the ``--all`` report
and the benchmark): the caller builds each document's HTML from the database, the pool only
turns HTML into PDF, so its processes need neither Django nor a database connection.

WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz-subset0 and
a font such as fonts-dejavu-core); ``scripts/test`` installs them when they are missing. It is
imported on first use: a server that never renders a PDF never loads it.
"""

import logging
import os
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from .render_html import render_html

# WeasyPrint logs every layout step at INFO: one line per page of every report.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

STYLESHEET = Path(__file__).resolve().parent / "templates" / "reporting" / "report.css"

_local = threading.local()


def _tools():
    """(FontConfiguration, parsed report.css) of this thread, made on first use."""
    tools = getattr(_local, "tools", None)
    if tools is None:
        from weasyprint import CSS  # heavy import; only when a PDF is asked for
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        tools = _local.tools = (fonts, CSS(string=STYLESHEET.read_text(encoding="utf-8"),
                                           font_config=fonts))
    return tools


def pdf_from_html(html: str) -> bytes:
    """A PDF of the report HTML written by ``render_html(doc, inline_stylesheet=False)``."""
    from weasyprint import HTML

    fonts, stylesheet = _tools()
    return HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts)


def render_pdf(doc: dict) -> bytes:
    return pdf_from_html(render_html(doc, inline_stylesheet=False))


def _warm_up() -> None:
    _tools()


def _can_spawn() -> bool:
    """A spawned process imports this program's main module again by its path: a program
    read from standard input has no path, so it lays its PDFs out itself."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    return path is None or os.path.exists(path)


def render_pdfs(htmls: Iterable[str], workers: int) -> Iterator[bytes]:
    """The PDF of each HTML (``render_html(doc, inline_stylesheet=False)``), in order, laid
    out on ``workers`` processes (1: in this process). ``htmls`` is read lazily, a few
    documents ahead of the pool, so the caller's queries for the next documents run while
    the pool lays out the previous ones, and memory stays bounded."""
    if workers <= 1 or not _can_spawn():
        for html in htmls:
            yield pdf_from_html(html)
        return
    # spawn: a fresh interpreter, safe whatever threads or connections this process holds.
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                             initializer=_warm_up) as pool:
        pending = deque()
        for html in htmls:
            pending.append(pool.submit(pdf_from_html, html))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
