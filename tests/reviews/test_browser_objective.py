"""A missed objective investigated in a real browser (Playwright + Debian's Chromium): Oscar
opens Berliner Bank's March report, follows "Investigate" on the P2 target that missed its
95 % objective, reads the suggestion (Vendor Co held most of the breached time), records the
reason, root cause and confirmed party, and sees them on the page; the page passes axe-core
and fits a phone. Screenshots go to $ACCORD_SCREENSHOT_DIR (or $ACCORD_SCREENSHOTS; default:
pytest's tmp dir)."""

import os
from pathlib import Path

import pytest

from accord.measurement.models import ObjectiveInvestigation
from tests.reviews.test_objective_investigations import bank_fixture  # noqa: F401
from tests.web.test_browser import CHROMIUM, MISSING, browser  # noqa: F401 (a fixture)
from tests.web.ui.pages import axe_violations, describe

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("ACCORD_SCREENSHOT_DIR") or os.environ.get(
        "ACCORD_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_missed_objective_from_the_report_to_its_investigation(browser, live_server,  # noqa: F811
                                                                 bank, owner, shots):
    from playwright.sync_api import expect

    if browser is None or not os.path.exists(CHROMIUM):
        pytest.fail(MISSING)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "oscar")
        page.fill("#id_password", "pw")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        # March's report: the P2 target missed its objective.
        page.goto(f"{live_server.url}/reports/")
        page.select_option("#id_agreement", str(bank["sla"].pk))
        page.fill("#id_period", "2025-03")
        page.click(".report-picker button[type=submit]")
        page.click("a.sr-investigate")
        expect(page.locator("h1")).to_contain_text("Missed objective")
        expect(page.locator("#objective-compliance")).to_contain_text("90.00 %")
        expect(page.locator("#objective-clocks tbody tr")).to_have_count(2)
        expect(page.locator("#id_party")).to_have_value("supplier")  # the suggestion
        assert not axe_violations(page), describe(page.url, axe_violations(page))
        page.select_option("#id_reason", "supplier_delay")
        page.fill("#id_root_cause", "Vendor Co's night queue was unstaffed for two weeks.")
        page.fill("#id_problems", "")
        page.click("#save-investigation")
        expect(page.locator("#investigation-state")).to_contain_text(
            "Responsible party Supplier (UC), confirmed by oscar")
        page.screenshot(path=shots / "objective-investigated.png", full_page=True)
        assert not axe_violations(page), describe(page.url, axe_violations(page))
        # On a phone: nothing wider than the screen, and axe still passes.
        page.set_viewport_size(PHONE)
        page.reload()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        assert not axe_violations(page), describe(page.url, axe_violations(page))
        page.screenshot(path=shots / "objective-investigated-phone.png", full_page=True)
    finally:
        context.close()
    found = ObjectiveInvestigation.objects.get()
    assert (found.party, found.reason.code, found.confirmed_by) == (
        "supplier", "supplier_delay", owner)
