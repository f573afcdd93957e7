"""The UI in a real browser: Playwright's sync API drives Debian's Chromium against the live
server. Few tests, each walking a whole story."""

import os
from contextlib import contextmanager

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made here by the
# fixtures are still plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import expect, sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
MISSING = (f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. Install it "
           "with `apt-get install chromium` (scripts/test does this when run as root).")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        yield None  # each test fails with MISSING: a missing browser is not a pass
        return
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@contextmanager
def signed_in(browser, live_server, username):
    """A fresh browser page, signed in through the login form as ``username``."""
    if browser is None:
        pytest.fail(MISSING)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "pw")
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Service level overview")
        yield page
    finally:
        context.close()


def test_an_slm_moves_an_agreement_through_a_transition(browser, live_server, slm, acme_sla):
    with signed_in(browser, live_server, "sam") as page:
        page.click("text=Agreements")
        page.click("text=Acme Web Shop")
        header = page.locator("#agreement-header")
        expect(header.locator("#status-badge")).to_have_text("Active")

        # Terminating without a reason is refused, and the header says why (htmx, no reload).
        page.get_by_role("button", name="Terminate").click()
        expect(header.get_by_role("alert")).to_contain_text("a reason is required")
        expect(header.locator("#status-badge")).to_have_text("Active")

        page.fill("#transition-reason", "Quarterly review requested by Acme")
        page.get_by_role("button", name="Start review").click()

        expect(header.locator("#status-badge")).to_have_text("Under review")
        expect(header.get_by_role("status")).to_contain_text("is now under review")
        history = page.locator("#history tbody tr").first
        expect(history).to_contain_text("Quarterly review requested by Acme")
        expect(history).to_contain_text("under_review")
        # The new state is saved, not just shown.
        page.reload()
        expect(page.locator("#status-badge")).to_have_text("Under review")
    acme_sla.refresh_from_db()
    assert acme_sla.status == "under_review"


def test_a_reader_sees_the_agreement_without_lifecycle_buttons(browser, live_server, reader,
                                                               acme_sla):
    with signed_in(browser, live_server, "rita") as page:
        page.goto(f"{live_server.url}/agreements/{acme_sla.pk}/")

        expect(page.locator("#status-badge")).to_have_text("Active")
        expect(page.get_by_role("button", name="Start review")).to_have_count(0)
        expect(page.get_by_role("button", name="Terminate")).to_have_count(0)
        expect(page.locator("#agreement-header")).to_contain_text(
            "Lifecycle changes are made by service level managers")
        expect(page.locator("#history")).to_contain_text("Status changed")


def test_a_service_owner_edits_their_service_in_the_browser(browser, live_server, owner,
                                                            web_shop):
    with signed_in(browser, live_server, "oscar") as page:
        page.click("text=Services")
        page.click("text=Web Shop")
        page.click("text=Edit service")
        page.select_option("#id_criticality", "2")
        page.fill("#id_description", "Where customers buy")
        page.click("text=Save")

        expect(page.locator(".messages")).to_contain_text("Web Shop saved.")
        expect(page.locator("dl.props")).to_contain_text("2 – high")
        expect(page.locator("#history")).to_contain_text("criticality")
