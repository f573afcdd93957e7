"""The browser's own zone reaches the server by itself: a browser in Tokyo signs in and every
page shows Tokyo time, until the user picks another zone on "Your settings"."""

import pytest
from playwright.sync_api import expect

from .pages import MISSING_BROWSER, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_browser_in_tokyo_sees_tokyo_time_until_the_user_picks_paris(browser, live_server,
                                                                        slm):
    if browser is None:
        pytest.fail(MISSING_BROWSER)
    context = browser.new_context(timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, live_server.url, "sam", "pw")
        # The sign-in page told the server the browser's zone: the very first page uses it.
        expect(page.locator(".page-head")).to_contain_text("Asia/Tokyo")
        expect(page.locator("table.audit thead")).to_contain_text("When (Asia/Tokyo)")

        page.get_by_role("link", name="sam").click()
        expect(page.locator("#active-tz")).to_have_text("Asia/Tokyo")
        page.select_option("#id_time_zone", "Europe/Paris")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".messages")).to_contain_text("saved")
        expect(page.locator("#active-tz")).to_have_text("Europe/Paris")

        page.goto(f"{live_server.url}/")
        expect(page.locator(".page-head")).to_contain_text("Europe/Paris")
    finally:
        context.close()
    slm.refresh_from_db()
    assert slm.time_zone == "Europe/Paris"
