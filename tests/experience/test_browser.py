"""In a real browser (Playwright + Debian's Chromium): the requester answers the survey from
the link without an account; the score shows on the ticket page and in the report JSON."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accord.accounts import services as accounts
from accord.agreements import services as agreements
from accord.agreements import versions
from accord.catalogue.models import Customer, Service
from accord.escalation.models import Notification
from accord.escalation.services import create_channel
from accord.experience import survey
from accord.measurement.models import Ticket
from accord.reporting.periods import Period
from tests.conftest import sign_on_behalf
from tests.reporting.conftest import clock
from tests.web.test_browser import MISSING, signed_in
from tests.web.test_browser import browser as browser  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def story(slm, admin_user):
    now = timezone.now()
    acme = Customer.objects.create(name="Acme", tz="Europe/London")
    shop = Service.objects.create(name="Web Shop", status="live")
    sla = agreements.create_agreement(
        by=slm, now=now, name="Acme Web Shop", kind="sla", structure="customer_based",
        customer=acme, services=[shop], effective_from=now - timedelta(days=400),
        survey_on_resolve=True)
    version = sla.latest_version()
    p1 = versions.add_target(version, by=slm, now=now, metric="resolution", priority="P1",
                             duration_seconds=4 * 3600, objective_percent=90)
    xla = versions.add_target(version, by=slm, now=now, metric="experience",
                              measure="csat_average", threshold="4", direction="at_least")
    versions.approve(version, party="provider", by=slm, now=now)
    sign_on_behalf(version, slm, now)
    create_channel(by=admin_user, name="Mail", kind="email", now=now,
                   config={"addresses": ["desk@example.com"]})
    ticket = Ticket.objects.create(source="desk", ticket_id="INC-42", customer=acme,
                                   service=shop, priority="P1", stage="resolved",
                                   opened_at=now - timedelta(hours=3),
                                   resolved_at=now - timedelta(minutes=30),
                                   payload={"requester_email": "ann@acme.test",
                                            "summary": "Checkout fails"})
    p1.refresh_from_db()
    clock(p1, "met", now - timedelta(hours=3), stopped=now - timedelta(minutes=30),
          ticket=ticket)
    assert survey.invite_next(now, "w")
    url = Notification.objects.get().payload["survey_url"]
    return {"sla": sla, "xla": xla, "ticket": ticket, "path": urlparse(url).path}


def test_a_requester_answers_and_the_score_shows_on_ticket_and_report(browser, live_server,
                                                                      slm, story):
    if browser is None:
        pytest.fail(MISSING)
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + story["path"])  # no account: straight to the question
    expect(page.locator("h1")).to_have_text("How did we do?")
    page.get_by_label("2", exact=True).check()
    page.fill("#comment", "Fixed, but it took three calls")
    page.click("button[type=submit]")
    expect(page.locator("#answer")).to_contain_text("2 of 5")
    page.reload()  # answered: the answer stays, the form is gone
    expect(page.locator("#answer")).to_contain_text("2 of 5")
    expect(page.locator("input[name=score]")).to_have_count(0)
    context.close()

    with signed_in(browser, live_server, "sam") as page:
        page.goto(f"{live_server.url}/tickets/{story['ticket'].pk}/")
        feedback = page.locator("#ticket-feedback")
        expect(feedback).to_contain_text("2 / 5")
        expect(feedback).to_contain_text("Fixed, but it took three calls")
        _, raw = accounts.create_token(slm, "browser", "read")
        month = Period.containing("month", timezone.now(), "Europe/London").label
        response = page.request.get(
            f"{live_server.url}/api/v1/reports/compliance?agreement="
            f"{story['sla'].reference}&month={month}",
            headers={"Authorization": f"Bearer {raw}"})
        assert response.ok, response.text()
        report = response.json()
    (row,) = [r for r in report["targets"] if r["metric"] == "experience"]
    assert (row["target"], row["value"], row["responses"], row["objective_met"]) == (
        story["xla"].pk, 2.0, 1, False)
    assert report["kpis"]["experience"]["csat_average"] == 2.0
