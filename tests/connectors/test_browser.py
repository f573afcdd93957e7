"""The connector page in a real browser: an administrator sets Jira up end to end."""

import os

from playwright.sync_api import expect

from tests.web.test_browser import browser, pytestmark, signed_in  # noqa: F401

SHOT = os.environ.get("ACCORD_SCREENSHOT_DIR")


def test_an_administrator_sets_up_a_jira_connector(browser, live_server, admin_user):  # noqa: F811
    with signed_in(browser, live_server, "ada") as page:
        page.click("nav summary:has-text('More')")  # the administrator's pages sit in the More menu
        page.click("nav >> text=Connectors")
        page.select_option("#id_kind", "jira")
        page.fill("#id_name", "Acme Jira")
        page.fill("#id_source", "jira-acme")
        page.click("text=Create connector")

        expect(page.locator("h1")).to_contain_text("Acme Jira")
        expect(page.locator("#hook-url")).to_contain_text("/api/v1/hooks/")
        page.click("text=Send test event")
        expect(page.locator("body")).to_contain_text("signature verified")
        expect(page.locator("#deliveries")).to_contain_text("Test event")
        if SHOT:
            page.screenshot(path=os.path.join(SHOT, "connector.png"), full_page=True)
