"""The governance pages with the roles' rights: a review run through its page (open, minutes,
decision, action, close), actions closed only with evidence, the leadership view, the
dashboard cards include; portal users read their own reviews only."""

from datetime import date, timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from accord.catalogue.models import Customer
from accord.reviews import actions, reviews
from accord.reviews.models import Action, Review
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(name="review")
def review_fixture(gov, slm):
    return reviews.schedule(agreement=gov["sla"], kind="performance", period="2025-03",
                            due=timezone.now().date() - timedelta(days=2), by=slm, now=NOW)


def test_an_slm_runs_a_review_from_its_page(client, gov, slm, review):
    client.force_login(slm)
    page = client.get(f"/reviews/{review.pk}/")
    assert b"Open the review" in page.content
    client.post(f"/reviews/{review.pk}/open")
    client.post(f"/reviews/{review.pk}/minutes", {"minutes": "We met.", "attendees": "Sam\nPat"})
    refused = client.post(f"/reviews/{review.pk}/close", follow=True)
    assert b"at least one decision" in refused.content
    client.post(f"/reviews/{review.pk}/decisions", {"who": "Sam", "what": "Keep P1"})
    client.post(f"/reviews/{review.pk}/actions", {"title": "Runbook"})
    closed = client.post(f"/reviews/{review.pk}/close", follow=True)
    assert b"Review closed." in closed.content
    review.refresh_from_db()
    assert review.status == "closed" and review.minutes == "We met."
    assert [a["name"] for a in review.attendees] == ["Sam", "Pat"]
    assert Action.objects.get().review == review
    assert b"Review pack (PDF)" in client.get(f"/reviews/{review.pk}/").content


def test_an_analyst_minutes_but_does_not_run(client, analyst, review):
    client.force_login(analyst)
    assert client.post(f"/reviews/{review.pk}/open").status_code == 403
    client.post(f"/reviews/{review.pk}/minutes", {"minutes": "draft"})
    review.refresh_from_db()
    assert review.minutes == "draft" and review.status == "scheduled"


def test_customers_read_their_reviews_only(client, gov, customer_user, review):
    gov["acme"].contacts.add(customer_user)
    client.force_login(customer_user)
    assert client.get(f"/reviews/{review.pk}/").status_code == 200
    assert client.get("/actions/").status_code == 403
    assert client.get("/leadership/").status_code == 403
    gov["acme"].contacts.remove(customer_user)
    Customer.objects.create(name="Globex").contacts.add(customer_user)
    assert client.get(f"/reviews/{review.pk}/").status_code == 404


def test_an_action_page_needs_evidence(client, gov, slm):
    action = actions.create_action(by=slm, now=NOW, title="Fix", owner=slm,
                                   due=date(2025, 3, 1))
    client.force_login(slm)
    page = client.post(f"/actions/{action.pk}/", {"evidence": " "}, follow=True)
    assert b"evidence is required" in page.content
    action.refresh_from_db()
    assert action.status == "open"
    client.post(f"/actions/{action.pk}/", {"evidence": "Fixed in change 42"})
    action.refresh_from_db()
    assert action.status == "done"


def test_the_leadership_view(client, gov, slm, review):
    actions.create_action(by=slm, now=NOW, title="Late one", owner=slm, due=date(2025, 3, 1))
    client.force_login(slm)
    page = client.get("/leadership/").content.decode()
    assert "Late one" in page and "Off-track actions (1)" in page
    assert str(review) in page  # overdue


def test_the_dashboard_cards_include(gov, slm, review):
    actions.create_action(by=slm, now=NOW, title="Late one", owner=slm, due=date(2025, 3, 1))
    request = RequestFactory().get("/")
    request.user = slm
    html = Template("{% load reviews_cards %}{% reviews_dashboard_cards %}").render(
        Context({"request": request}))
    assert 'id="card-overdue-actions"' in html and "Overdue actions" in html
    assert Review.objects.count() == 1


def test_the_two_review_cards_count_the_same_kind_of_thing(client, gov, slm, review):
    """Both count scheduled or open reviews: due within the notice days, or past due; a
    closed review counts in neither, and each card's list shows what it counted."""
    today = timezone.now().date()
    soon = reviews.schedule(agreement=gov["sla"], kind="agreement", period="v1",
                            due=today + timedelta(days=3), by=slm, now=NOW)
    reviews.schedule(agreement=gov["sla"], kind="performance", period="2025-04",
                     due=today + timedelta(days=30), by=slm, now=NOW)  # neither yet
    closed = reviews.schedule(agreement=gov["sla"], kind="performance", period="2025-02",
                              due=today - timedelta(days=40), by=slm, now=NOW)
    Review.objects.filter(pk=closed.pk).update(status="closed")
    client.force_login(slm)
    html = client.get("/").content.decode()
    due_card = html[html.index('id="card-reviews-due"'):]
    due_card = due_card[:due_card.index("</a>")]
    late_card = html[html.index('id="card-reviews-overdue"'):]
    late_card = late_card[:late_card.index("</a>")]
    assert '<div class="n">1</div>' in due_card
    assert "scheduled or open reviews due in the next 7 days" in due_card
    assert '<div class="n">1</div>' in late_card
    assert "scheduled or open reviews past their due date · oldest 2 days late" in late_card
    assert html.count('<div class="l">Reviews overdue</div>') == 1  # one card, not two
    listed = client.get("/reviews/?show=overdue").content.decode()
    assert f'href="/reviews/{review.pk}/"' in listed
    assert f'href="/reviews/{soon.pk}/"' not in listed
    assert f'href="/reviews/{closed.pk}/"' not in listed
    assert f'href="/reviews/{soon.pk}/"' in client.get("/reviews/?show=due").content.decode()


def test_exclusions_are_claimed_and_decided_on_their_page(client, gov, analyst, slm):
    from accord.measurement.models import ClockExclusion
    from tests.reporting.conftest import MARCH_START, clock

    breached = clock(gov["p1"], "breached", MARCH_START + timedelta(days=1))
    client.force_login(analyst)
    client.post("/exclusions/", {"clock": str(breached.pk), "reason": "force_majeure",
                                 "explanation": "Flood", "evidence": "News report"})
    claim = ClockExclusion.objects.get()
    # The claimant sees no buttons and is refused.
    assert b"Approve</button>" not in client.get("/exclusions/").content
    assert client.post(f"/exclusions/{claim.pk}/approve").status_code == 403
    client.force_login(slm)
    assert b"Approve</button>" in client.get("/exclusions/").content
    client.post(f"/exclusions/{claim.pk}/approve")
    claim.refresh_from_db()
    assert claim.status == "approved" and claim.decided_by == slm


def test_plan_and_risk_pages(client, gov, owner, slm, customer_user):
    from accord.reviews import plans
    from accord.reviews.risks import create_risk

    plan = plans.create_plan(by=owner, now=NOW, title="Faster P1", shortfall="P1 misses",
                             agreement=gov["sla"], targets=[gov["p1"].pk])
    create_risk(by=slm, now=NOW, title="Single DBA", service=gov["shop"], likelihood=4,
                impact=5)
    client.force_login(owner)
    assert b"Approve the plan" not in client.get(f"/plans/{plan.pk}/").content
    client.force_login(slm)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Approve the plan" in page and "Measured effect" in page
    client.post(f"/plans/{plan.pk}/")
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert b"Single DBA" in client.get("/risks/").content
    client.force_login(customer_user)
    assert client.get("/risks/").status_code == 403
    assert client.get(f"/plans/{plan.pk}/").status_code == 404  # internal plan


def test_a_frozen_experience_target_reads_as_its_value_and_threshold(client, slm, review):
    """An XLA row has no met/breached counts: the page shows its responses, value and
    threshold, never a row of "None"."""
    client.force_login(slm)
    client.post(f"/reviews/{review.pk}/open")
    review.refresh_from_db()
    figures = dict(review.figures)
    figures["targets"] = [*figures["targets"], {
        "target": 999, "version": 1, "name": "CSAT average", "metric": "experience",
        "measure": "csat_average", "value": 4.3, "responses": 12, "threshold": 4.0,
        "direction": "at_least", "objective_met": True, "note": None, "met": None,
        "breached": None, "excluded": None, "compliance_percent": None,
        "objective_percent": None, "credit_due": None}]
    Review.objects.filter(pk=review.pk).update(figures=figures)
    table = client.get(f"/reviews/{review.pk}/").content.decode()
    table = table[table.index('id="frozen-figures"'):table.index("</table>", table.index(
        'id="frozen-figures"'))]
    row = table[table.index("CSAT average"):]
    row = row[:row.index("</tr>")]
    assert "12 responses" in row and "4.3" in row and "at least 4.0" in row
    assert "None" not in row
