"""Every page of the web UI, found the way a user finds them, for the page-wide browser checks
(accessibility, phone layout).

The pages are: an explicit list (so a page that stops being linked is still checked), every
route of the URL conf that takes no argument, and whatever same-origin link those pages lead to
within two clicks (so pages added later are checked without editing this file). One page per
URL shape is enough (``/tickets/12/`` stands for every ticket), which keeps the crawl bounded.
"""

import os
import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
MISSING_BROWSER = (f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. Install "
                   "it with `apt-get install chromium` (scripts/test does this when run as root).")

ROOT = Path(__file__).resolve().parents[3]
AXE_JS = Path(os.environ.get(
    "ACCORD_AXE_JS", ROOT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"))
MISSING_AXE = (f"{AXE_JS} is missing: the accessibility test injects axe-core from the npm "
               "registry. Run ./scripts/test (it runs `npm install axe-core@4` into .cache/node) "
               "or set ACCORD_AXE_JS to an axe.min.js.")

# Pages every run must check, whatever the links say (paths; <id> filled by the crawl).
EXPLICIT = ["/", "/services/", "/components/", "/customers/", "/teams/", "/suppliers/",
            "/agreements/", "/tickets/", "/clocks/", "/calendars/", "/notifications/",
            "/escalations/", "/reviews/overdue/", "/api/v1/docs"]
PORTAL_EXPLICIT = ["/", "/agreements/", "/tickets/", "/clocks/", "/calendars/", "/api/v1/docs"]

# Not pages: signing out, the health probe, files, the API itself, Django's admin (checked on
# its own: its index only), downloads.
SKIP = re.compile(r"^/(logout/|health|static/|media/|admin/|api/(?!v1/docs$))"
                  r"|\.(csv|json|ics|xes|gz)$")
MAX_PAGES = 80
DEPTH = 2


def shape(url: str) -> str:
    """``/agreements/12/compare?version=2`` -> ``/agreements/<n>/compare?version``: one visit
    per page kind (and per set of query parameters, which may show a different part)."""
    parts = urlsplit(url)
    names = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    path = re.sub(r"/\d+(?=/|$)", "/<n>", parts.path)
    return path + ("?" + "&".join(names) if names else "")


def _routes(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def plain_routes() -> list[str]:
    """Paths of the URL conf's routes that take no argument (``^``/``$`` regexes excluded)."""
    paths = []
    for route in _routes(get_resolver().url_patterns):
        if "<" in route or any(c in route for c in "^$()[]\\?*+"):
            continue
        path = "/" + route
        if not SKIP.search(path):
            paths.append(path)
    return paths


def links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or not parts.path:
            continue
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(parts.path):
            found.append(url)
    return found


def crawl(page, base_url: str, start: list[str], visit, *, depth: int = DEPTH,
          limit: int = MAX_PAGES) -> dict[str, str]:
    """Open ``start`` then the links they lead to (``depth`` clicks), one page per URL shape,
    calling ``visit(page, url)`` on each HTML page that answered 200 (or 403: the refusal
    page). Returns {shape: url}."""
    seen: dict[str, str] = {}
    queue = deque((url, 0) for url in start)
    while queue and len(seen) < limit:
        url, level = queue.popleft()
        key = shape(url)
        if key in seen:
            continue
        seen[key] = url
        response = page.goto(base_url + url)
        if response is None or response.status not in (200, 403) or "html" not in (
                response.headers.get("content-type", "")):
            continue
        landed = page.url.removeprefix(base_url)
        if landed != url:  # redirected (e.g. /login/ when signed in): check it as its own shape
            if shape(landed) in seen:
                continue
            seen[shape(landed)] = landed
        page.wait_for_load_state("networkidle")  # parts drawn by script (htmx, Swagger UI)
        visit(page, url)
        if level < depth:
            queue.extend((link, level + 1) for link in links(page, base_url))
    return seen


def new_page(browser, *, width=1280, height=900):
    if browser is None:
        pytest.fail(MISSING_BROWSER)
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = ("serious", "critical")


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical WCAG 2.0/2.1 A and AA violations on the open page."""
    if not AXE_JS.exists():
        pytest.fail(MISSING_AXE)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", AXE_TAGS)
    return [v for v in result["violations"] if v["impact"] in SERIOUS]


def describe(url: str, violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:3])
        lines.append(f"{url}: {v['id']} ({v['impact']}, {len(v['nodes'])}×) {v['help']} — "
                     f"{targets}")
    return "\n".join(lines)

