"""Every page fits a phone: at 390×844 nothing is wider than the screen (wide tables scroll
inside themselves), the navigation folds behind a Menu button, and axe still passes."""

import pytest
from playwright.sync_api import expect

from accord.web import demo

from .pages import (
    EXPLICIT,
    PORTAL_EXPLICIT,
    axe_violations,
    crawl,
    describe,
    new_page,
    plain_routes,
    sign_in,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
WIDTH = "document.scrollingElement.scrollWidth"



def check_every_page_on_a_phone(browser, live_server, username, start):
    page = new_page(browser, **PHONE)
    problems = []

    def visit(page, url):
        width = page.evaluate(WIDTH)
        if width > PHONE["width"]:
            problems.append(f"{url}: the page is {width} px wide on a {PHONE['width']} px screen")
        problems.append(describe(url, axe_violations(page)))

    try:
        sign_in(page, live_server.url, username, demo.DEMO_PASSWORD)
        seen = crawl(page, live_server.url, start, visit)
    finally:
        page.context.close()
    assert len(seen) >= len(start) // 2, sorted(seen)
    assert not any(problems), "\n".join(p for p in problems if p)


def test_every_page_fits_a_phone_for_a_service_level_manager(browser, live_server, ecoshop):
    check_every_page_on_a_phone(browser, live_server, "sarah",
                     EXPLICIT + plain_routes() + [ecoshop["compare"]])


def test_every_page_fits_a_phone_for_a_customer_portal_user(browser, live_server, ecoshop):
    check_every_page_on_a_phone(browser, live_server, "dana", PORTAL_EXPLICIT + plain_routes())


def test_the_menu_folds_on_a_phone_and_tables_scroll_in_place(browser, live_server, ecoshop):
    page = new_page(browser, **PHONE)
    try:
        sign_in(page, live_server.url, "sarah", demo.DEMO_PASSWORD)
        tickets = page.get_by_role("link", name="Tickets", exact=True)
        menu = page.get_by_role("button", name="Menu")
        # Folded: the links are hidden until Menu is pressed, and it says whether it is open.
        expect(tickets).to_be_hidden()
        expect(menu).to_have_attribute("aria-expanded", "false")
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        tickets.click()

        expect(page.locator("h1")).to_have_text("Tickets")
        table = page.locator("main table").first
        # The ticket table is wider than the phone: it scrolls by itself, the page does not.
        assert table.evaluate("t => t.scrollWidth > t.clientWidth")
        assert table.evaluate("t => getComputedStyle(t).overflowX") == "auto"
        assert page.evaluate(WIDTH) <= PHONE["width"]
    finally:
        page.context.close()
    # On a desktop screen the links are all there and there is no Menu button.
    page = new_page(browser)
    try:
        sign_in(page, live_server.url, "sarah", demo.DEMO_PASSWORD)
        expect(page.get_by_role("link", name="Tickets", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    finally:
        page.context.close()


@pytest.mark.parametrize("username", ["admin", "sarah"])
def test_the_bar_fits_on_one_line_at_1280_px(browser, live_server, ecoshop, username):
    page = new_page(browser, width=1280, height=800)
    try:
        sign_in(page, live_server.url, username, demo.DEMO_PASSWORD)
        bar = page.locator("header.top")
        # One line: every item of the bar (and More) at the same height, the bar one row high.
        tops = page.locator("header.top nav > a, header.top nav summary").evaluate_all(
            "items => items.map(i => Math.round(i.getBoundingClientRect().top))")
        assert len(tops) >= 8 and len(set(tops)) == 1, tops
        assert bar.evaluate("b => b.offsetHeight") <= 60
        assert page.evaluate(WIDTH) <= 1280
        # Configuration and tools are one click away, under More; Escape folds them again.
        more = page.locator("header.top summary", has_text="More")
        calendars = page.get_by_role("link", name="Calendars", exact=True)
        expect(calendars).to_be_hidden()
        more.click()
        expect(calendars).to_be_visible()
        page.keyboard.press("Escape")
        expect(calendars).to_be_hidden()
        more.click()
        calendars.click()
        expect(page.locator("h1")).to_have_text("Calendars")
        # On its page, More is marked as the current section.
        expect(page.locator("header.top summary.active")).to_have_text("More")
    finally:
        page.context.close()
