"""A review in a real browser (Playwright + Debian's Chromium), from the reminder to its closed
actions: the owner's reminder is in the outbox; the service level manager goes from the
reviews list to the review, opens it (figures frozen), records minutes and a decision,
raises an action, closes the review, and the action's owner closes the action with evidence.
Screenshots go to $ACCORD_SCREENSHOTS (default: pytest's tmp dir)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accord.escalation.models import Notification
from accord.reviews import reviews, scheduling
from accord.reviews.models import Action, Review
from tests.web.test_browser import CHROMIUM, MISSING, browser  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("ACCORD_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_review_from_its_reminder_to_closed_actions(browser, live_server, gov, slm, mail,  # noqa: F811
                                                      shots):
    from playwright.sync_api import expect

    if browser is None or not os.path.exists(CHROMIUM):
        pytest.fail(MISSING)
    now = timezone.now()
    review = reviews.schedule(agreement=gov["sla"], kind="performance", period="2025-03",
                              due=now.date() + timedelta(days=3), by=slm, now=now)
    assert scheduling.review_reminders(now) is True
    reminder = Notification.objects.get(idempotency_key=f"review:{review.pk}:upcoming:owner")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "sam")
        page.fill("#id_password", "pw")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        # The reminder, as the outbox shows it.
        page.goto(f"{live_server.url}/notifications/")
        expect(page.locator("body")).to_contain_text(reminder.subject)
        page.screenshot(path=shots / "review-reminder.png", full_page=True)
        # The review, from the reviews list.
        page.click("nav a[href='/reviews/']")
        page.click(f"a[href='/reviews/{review.pk}/']")
        page.click("#open-review")
        expect(page.locator("#review-status")).to_have_text("Open (figures frozen)")
        expect(page.locator("#frozen-figures")).to_be_visible()
        page.fill("#attendees", "Sam (provider)\nPat (Acme)")
        page.fill("#minutes", "March: one P1 breach; runbook to be rewritten.")
        page.click("#save-minutes")
        page.fill("#decision-who", "Sam and Pat")
        page.fill("#decision-what", "Keep the P1 target; rewrite the runbook")
        page.click("#record-decision")
        page.fill("#action-title", "Rewrite the P1 runbook")
        page.click("#raise-action")
        expect(page.locator("#review-actions")).to_contain_text("Rewrite the P1 runbook")
        page.screenshot(path=shots / "review-held.png", full_page=True)
        page.click("#close-review")
        expect(page.locator("#review-status")).to_have_text("Closed")
        page.screenshot(path=shots / "review-closed.png", full_page=True)
        # The action raised in it, closed with evidence (refused without).
        page.click("#review-actions >> text=Rewrite the P1 runbook")
        page.click("#close-action")
        expect(page.locator("body")).to_contain_text("evidence is required")
        page.fill("#close-evidence", "Runbook v2 published on the wiki")
        page.click("#close-action")
        expect(page.locator("#action-status")).to_have_text("Done")
        page.screenshot(path=shots / "action-closed.png", full_page=True)
    finally:
        context.close()
    assert Review.objects.get().status == "closed"
    assert Action.objects.get().evidence == "Runbook v2 published on the wiki"
