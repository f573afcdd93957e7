"""In a real browser (Playwright + Debian's Chromium): a service level manager opens a draft
that tightens P1 resolution, runs the 12-month what-if and sees one comparison chart per
target. The screenshot goes to $ACCORD_SCREENSHOTS (default: pytest's tmp dir)."""

import os
from pathlib import Path

import pytest

from accord.agreements import versions
from tests.conftest import NOW
from tests.reporting.conftest import HOUR
from tests.web.test_browser import CHROMIUM, MISSING, browser  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_draft_is_replayed_over_twelve_months_with_a_chart(browser, live_server,  # noqa: F811
                                                            history_world, slm, tmp_path):
    from playwright.sync_api import expect

    if browser is None or not os.path.exists(CHROMIUM):
        pytest.fail(MISSING)
    shots = Path(os.environ.get("ACCORD_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    sla = history_world["sla"]
    draft = versions.new_draft_version(sla, by=slm, now=NOW)
    versions.update_target(draft.targets.get(priority="P1"), by=slm, now=NOW,
                           duration_seconds=HOUR)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "sam")
        page.fill("#id_password", "pw")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/agreements/{sla.pk}/?version={draft.number}")
        page.click("text=How would this have done over the last 12 months?")
        page.fill("input[name=from]", "2024-04-01")
        page.fill("input[name=to]", "2025-03-31")
        page.click("#run-whatif")
        result = page.locator("#whatif-result")
        expect(result).to_contain_text("v2 replayed")
        charts = page.locator("svg.whatif-chart")
        expect(charts).to_have_count(2)
        expect(charts.first.locator("polyline.simulated")).to_have_count(1)
        expect(charts.first.locator("polyline.baseline")).to_have_count(1)
        expect(page.locator("table").first).to_contain_text("2025-03")
        page.screenshot(path=shots / "whatif-draft.png", full_page=True)
    finally:
        context.close()
