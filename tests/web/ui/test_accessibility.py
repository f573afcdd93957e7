"""Every page passes axe-core's WCAG 2.0/2.1 A and AA rules with no serious or critical
violation, in a real browser, for each kind of user (pages found as described in pages.py)."""

import pytest

from accord.agreements.models import Agreement
from accord.catalogue.models import Calendar, Service
from accord.web import demo

from .pages import (
    DEPTH,
    EXPLICIT,
    PORTAL_EXPLICIT,
    axe_violations,
    crawl,
    describe,
    new_page,
    plain_routes,
    shape,
    sign_in,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Detail pages the crawl must reach, so a crawl that finds nothing cannot pass.
STAFF_DETAILS = {"/agreements/<n>/", "/tickets/<n>/", "/services/<n>/", "/calendars/<n>/",
                 "/services/<n>/edit", "/agreements/<n>/compare", "/settings/"}
PORTAL_DETAILS = {"/agreements/<n>/", "/tickets/<n>/"}


def check_every_page(browser, live_server, username, start, must_reach, *, depth=DEPTH):
    page = new_page(browser)
    failures = []
    try:
        sign_in(page, live_server.url, username, demo.DEMO_PASSWORD)
        seen = crawl(page, live_server.url, start,
                     lambda page, url: failures.append(describe(url, axe_violations(page))),
                     depth=depth)
    finally:
        page.context.close()
    assert must_reach | {shape(url) for url in start} <= set(seen), sorted(seen)
    assert not any(failures), "\n".join(f for f in failures if f)
    return seen



def test_every_page_passes_for_a_service_level_manager(browser, live_server, ecoshop):
    check_every_page(browser, live_server, "sarah",
                     EXPLICIT + plain_routes() + [ecoshop["compare"]], STAFF_DETAILS)


def test_the_admin_index_and_calendar_editing_pass_for_an_administrator(browser, live_server,
                                                                     ecoshop):
    # The pages only an administrator sees; the rest are the service level manager's above.
    calendar = Calendar.objects.order_by("pk").first()
    check_every_page(browser, live_server, "admin", ["/admin/", f"/calendars/{calendar.pk}/edit"],
                     {"/admin/", "/calendars/<n>/edit"}, depth=0)


def test_every_page_passes_for_a_customer_portal_user(browser, live_server, ecoshop):
    check_every_page(browser, live_server, "dana", PORTAL_EXPLICIT + plain_routes(),
                     PORTAL_DETAILS)


def test_the_login_page_passes_blank_and_after_a_wrong_password(browser, live_server):
    page = new_page(browser)
    try:
        page.goto(f"{live_server.url}/login/")
        blank = axe_violations(page)
        page.fill("#id_username", "nobody")
        page.fill("#id_password", "wrong")
        page.click("button[type=submit]")
        page.wait_for_selector("[role=alert]")
        refused = axe_violations(page)
        page.goto(f"{live_server.url}/api/v1/docs")
        page.click(".opblock-summary-control")  # an operation open, ready to try out
        page.click(".try-out__btn")
        page.wait_for_selector(".btn.execute")
        docs = axe_violations(page)
    finally:
        page.context.close()
    assert not blank, describe("/login/", blank)
    assert not refused, describe("/login/ (refused)", refused)
    assert not docs, describe("/api/v1/docs (signed out)", docs)


def test_the_check_catches_what_it_is_for(browser):
    # The regressions issue 15 found: a pale badge, a link told apart only by its colour, and a
    # page without a language. axe must report each, or the tests above prove nothing.
    page = new_page(browser)
    try:
        page.set_content(
            "<html><body><main><h1>x</h1><p>Some text with <a href='#' style='color:#2457a6;"
            "text-decoration:none'>a link</a> inside it, and more text.</p><span style="
            "'background:#fbf0dc;color:#a86a00;font-size:12px'>pending</span></main></body>"
            "</html>")
        found = {v["id"] for v in axe_violations(page)}
    finally:
        page.context.close()
    assert {"color-contrast", "link-in-text-block", "html-has-lang"} <= found


def test_a_form_showing_its_errors_and_a_refused_transition_pass(browser, live_server, ecoshop):
    service = Service.objects.order_by("pk").first()
    agreement = Agreement.objects.filter(status="active").order_by("pk").first()
    page = new_page(browser)
    try:
        sign_in(page, live_server.url, "sarah", demo.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/services/{service.pk}/edit")
        page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
        page.fill("#id_name", "")
        page.click("form.form button[type=submit]")
        page.wait_for_selector(".has-error")
        form_errors = axe_violations(page)

        page.goto(f"{live_server.url}/agreements/{agreement.pk}/")
        page.get_by_role("button", name="Terminate").click()  # no reason: refused in place
        page.wait_for_selector("#agreement-header [role=alert]")
        refused = axe_violations(page)
    finally:
        page.context.close()
    assert not form_errors, describe("service edit with errors", form_errors)
    assert not refused, describe("agreement transition refused", refused)
