"""The authoring story in a real browser (Playwright + Debian's Chromium): an administrator
creates a calendar; a service level manager creates an SLA with two targets and a priority
matrix and signs it as provider; the customer's contact signs it as counterparty on the
portal; events posted through the API start a clock that the ticket page shows. The same
story runs at a phone's width (390 px). Screenshots of the new pages go to
$ACCORD_SCREENSHOTS (default: pytest's tmp dir)."""

import json
import os
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accord.accounts import services as accounts
from accord.agreements.models import Agreement
from accord.measurement.models import Ticket
from tests.web.test_browser import CHROMIUM, MISSING, browser  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("ACCORD_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def signed_in(browser, live_server, username, width):  # noqa: F811
    if browser is None or not os.path.exists(CHROMIUM):
        pytest.fail(MISSING)
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "pw")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        yield page
    finally:
        context.close()


def _local(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_sla_is_authored_signed_and_measured_in_the_browser(
        browser, live_server, admin_user, slm, customer_user, acme, web_shop, shots,  # noqa: F811
        width):
    from playwright.sync_api import expect

    tag = f"{width}px"
    # An administrator creates the calendar.
    with signed_in(browser, live_server, "ada", width) as page:
        page.goto(f"{live_server.url}/calendars/")
        page.click("text=New calendar")
        page.fill("#id_name", "Round the clock")
        page.fill("#id_tz", "Europe/London")
        page.check("#id_always_open")
        page.fill("#id_country", "GB")
        page.screenshot(path=shots / f"calendar-new-{tag}.png", full_page=True)
        page.click("button:has-text('Create calendar')")
        expect(page.locator(".messages")).to_contain_text("Calendar Round the clock created")

    # The service level manager writes the SLA, two targets and a priority matrix.
    with signed_in(browser, live_server, "sam", width) as page:
        page.goto(f"{live_server.url}/agreements/")
        page.click("text=New agreement")
        page.fill("#id_name", "Acme round the clock")
        page.select_option("#id_structure", "customer_based")
        page.get_by_label("Web Shop").check()
        page.fill("#id_v-effective_from", _local(timezone.now() - timedelta(days=1)))
        page.click("button:has-text('Create agreement')")
        # Refused without its customer: the service's message sits next to the field.
        customer_row = page.locator(".field-row.has-error", has=page.locator("#id_customer"))
        expect(customer_row).to_contain_text("a customer-based SLA needs a customer")
        page.screenshot(path=shots / f"agreement-new-refused-{tag}.png", full_page=True)
        page.select_option("#id_customer", label="Acme")
        page.click("button:has-text('Create agreement')")
        expect(page.locator(".messages")).to_contain_text("created as a draft")
        agreement = Agreement.objects.get(name="Acme round the clock")

        for priority, metric, hours, minutes in (("P1", "resolution", "4", ""),
                                                 ("P1", "response", "", "30")):
            page.click("text=Add target")
            page.select_option("#id_metric", metric)
            page.fill("#id_priority", priority)
            page.select_option("#id_calendar", label="Round the clock")
            page.fill("#id_duration_hours", hours)
            page.fill("#id_duration_minutes", minutes)
            page.fill("#id_objective_percent", "95")
            page.fill("#id_pause_statuses", "Pending customer")
            expect(page.locator("#reach")).to_contain_text("would have applied to 0 tickets")
            if metric == "resolution":
                page.screenshot(path=shots / f"target-new-{tag}.png", full_page=True)
            page.click("button:has-text('Add target')")
            expect(page.locator(".messages")).to_contain_text("added to v1")
        expect(page.locator("#targets tbody tr")).to_have_count(2)

        page.click("text=Priority matrix")
        for i, (impact, urgency, priority) in enumerate((("high", "high", "P1"),
                                                         ("high", "low", "P2"))):
            page.fill(f"#id_impact_{i}", impact)
            page.fill(f"#id_urgency_{i}", urgency)
            page.fill(f"#id_priority_{i}", priority)
        page.screenshot(path=shots / f"matrix-{tag}.png", full_page=True)
        page.click("button:has-text('Save matrix')")
        expect(page.locator(".messages")).to_contain_text("(2 cells)")

        page.get_by_role("button", name="Approve as provider").click()
        expect(page.locator(".messages")).to_contain_text("approved as provider")
        page.screenshot(path=shots / f"agreement-{tag}.png", full_page=True)

    # The customer's contact signs for Acme on the portal.
    with signed_in(browser, live_server, "carl", width) as page:
        page.goto(f"{live_server.url}/agreements/{agreement.pk}/")
        page.get_by_role("button", name="Approve as counterparty").click()
        expect(page.locator(".messages")).to_contain_text("agreed and frozen")
        expect(page.locator("#status-badge")).to_have_text("Agreed")

    # Events through the API start the clocks; the ticket page shows them running.
    _, raw = accounts.create_token(slm, "browser test", "write")
    opened = timezone.now() - timedelta(minutes=90)
    with signed_in(browser, live_server, "sam", width) as page:
        answer = page.request.post(
            f"{live_server.url}/api/v1/events",
            headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json"},
            data=json.dumps([{"ticket_id": "INC-1", "timestamp": opened.isoformat(),
                              "kind": "created", "status": "New", "priority": "P1",
                              "service": "Web Shop", "customer": "Acme"}]))
        assert answer.ok, answer.text()
        ticket = Ticket.objects.get(ticket_id="INC-1")
        page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
        clocks = page.locator("section.clock")
        expect(clocks).to_have_count(2)
        resolution = clocks.filter(has_text="Resolution")
        expect(resolution).to_contain_text("Running")
        expect(resolution).to_contain_text("of 4 h")
        expect(clocks.filter(has_text="Response")).to_contain_text("Breached")
        page.screenshot(path=shots / f"ticket-{tag}.png", full_page=True)

        # The agreement's recompute button queues a job whose page shows its progress.
        page.goto(f"{live_server.url}/agreements/{agreement.pk}/")
        page.get_by_role("button", name="Recompute its clocks").click()
        expect(page.locator("#job-state")).to_have_text("Queued")
        page.screenshot(path=shots / f"recompute-{tag}.png", full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_administrator_sets_up_a_channel_and_a_policy_in_the_browser(  # noqa: F811
        browser, live_server, admin_user, slm, acme, shots, width):  # noqa: F811
    from playwright.sync_api import expect

    from accord.escalation.models import EscalationPolicy

    tag = f"{width}px"
    with signed_in(browser, live_server, "ada", width) as page:
        page.goto(f"{live_server.url}/notifications/")
        page.click("text=Policies and channels")
        page.click("text=New channel")
        page.fill("#id_name", "Ops log")
        page.select_option("#id_kind", "log")
        page.screenshot(path=shots / f"channel-new-{tag}.png", full_page=True)
        page.click("button:has-text('Save channel')")
        expect(page.locator(".messages")).to_contain_text("Channel “Ops log” saved")

        page.goto(f"{live_server.url}/escalation-policies/new")
        page.fill("#id_name", "Default")
        page.select_option("#id_s0_threshold_kind", "percent_used")
        page.fill("#id_s0_threshold", "75")
        page.fill("#id_s0_recipients", "service_owner, nobody")
        page.get_by_label("Ops log").first.check()
        page.click("button:has-text('Save policy')")
        # The bad recipient is named in its row; nothing is saved.
        expect(page.locator("td", has=page.locator("#id_s0_recipients"))).to_contain_text(
            "'nobody' is not user:<name>")
        page.fill("#id_s0_recipients", "service_owner, role:service_level_manager")
        page.screenshot(path=shots / f"policy-new-{tag}.png", full_page=True)
        page.click("button:has-text('Save policy')")
        expect(page.locator(".messages")).to_contain_text("Escalation policy “Default” saved")
        expect(page.locator("#history")).to_contain_text("created escalation policy “Default”")
    step = EscalationPolicy.objects.get(name="Default").steps.get()
    assert step.recipients == ["service_owner", "role:service_level_manager"]

    with signed_in(browser, live_server, "sam", width) as page:
        page.goto(f"{live_server.url}/services/new")
        page.screenshot(path=shots / f"service-new-{tag}.png", full_page=True)
        page.goto(f"{live_server.url}/agreements/")
        page.click("text=Service level requirements")
        page.click("text=New SLR")
        page.fill("#id_title", "Faster P1 fixes")
        page.select_option("#id_customer", label="Acme")
        page.select_option("#id_t0_metric", "resolution")
        page.fill("#id_t0_priority", "P1")
        page.fill("#id_t0_hours", "2")
        page.screenshot(path=shots / f"slr-new-{tag}.png", full_page=True)
        page.click("button:has-text('Save')")
        expect(page.locator("h1")).to_contain_text("Faster P1 fixes")
        page.screenshot(path=shots / f"slr-{tag}.png", full_page=True)
