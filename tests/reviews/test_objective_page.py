"""A missed objective's page (Berliner Bank's March, see test_objective_investigations): the
report and the review link to it from the target row that missed; it shows the figures, the
breached clocks (each to its breach page), the suggested party with its reason, and the
form, which records through the same service as ``PUT /objectives/investigation``."""

from datetime import date

import pytest

from accord.accounts.models import AuditEntry
from accord.measurement.models import ObjectiveInvestigation, Ticket
from accord.reviews import reviews
from tests.reviews.test_objective_investigations import AFTER, bank_fixture  # noqa: F401
from tests.reviews.test_plan_risk_forms import field_errors

pytestmark = pytest.mark.django_db


def page_url(bank, label="2025-03"):
    return f"/objectives/{bank['sla'].pk}/{bank['p2'].pk}/{label}/"


def test_the_report_links_the_missed_objective_and_not_the_met_one(client, owner, bank):
    client.force_login(owner)

    march = client.get(f"/reports/?agreement={bank['sla'].pk}&period=2025-03")
    april = client.get(f"/reports/?agreement={bank['sla'].pk}&period=2025-04")

    assert f'href="{page_url(bank)}"' in march.content.decode()
    assert "/objectives/" not in april.content.decode()


def test_the_review_links_the_missed_objective_of_its_frozen_figures(client, slm, bank):
    review = reviews.schedule(agreement=bank["sla"], kind="performance", period="2025-03",
                              due=date(2025, 4, 15), by=slm, now=AFTER)
    reviews.open_review(review, by=slm, now=AFTER)
    client.force_login(slm)

    page = client.get(f"/reviews/{review.pk}/").content.decode()

    assert f'href="{page_url(bank)}"' in page


def test_the_page_shows_the_figures_the_clocks_and_the_suggestion(client, owner, bank):
    client.force_login(owner)

    page = client.get(page_url(bank))

    text = page.content.decode()
    assert page.status_code == 200
    assert "90.00 %</strong> against an objective of 95 %" in text
    assert "18 met, 2 breached" in text
    for breach in bank["breaches"]:
        assert f'href="/breaches/{breach.pk}/"' in text  # each breach to its own page
    assert text.count('href="/breaches/') == 2  # 1 April's breach belongs to April
    assert '<option value="supplier" selected>' in text
    assert "Supplier Vendor Co held 56 % of the breached business time" in text


def test_an_investigation_is_recorded_from_the_page(client, owner, bank):
    Ticket.objects.create(source="t", ticket_id="PRB-3", type="problem")
    client.force_login(owner)

    answer = client.post(page_url(bank), {
        "reason": "supplier_delay", "root_cause": "Vendor Co's night queue unstaffed",
        "party": "supplier", "problems": "PRB-3"})

    assert answer.status_code == 302 and answer["Location"] == page_url(bank)
    found = ObjectiveInvestigation.objects.get()
    assert (found.party, found.confirmed_by, found.reason.code) == (
        "supplier", owner, "supplier_delay")
    assert AuditEntry.objects.filter(object_id=str(found.pk),
                                     message="missed objective investigated").exists()
    page = client.get(page_url(bank)).content.decode()
    assert "confirmed by oscar" in page and ">PRB-3</a>" in page


def test_an_incident_is_not_a_problem_record_and_nothing_is_recorded(client, owner, bank):
    Ticket.objects.create(source="t", ticket_id="INC-9", type="incident")
    client.force_login(owner)

    page = client.post(page_url(bank), {"party": "supplier", "problems": "INC-9"})

    assert page.status_code == 422
    assert "not a problem record" in field_errors(page, "problems")
    assert not ObjectiveInvestigation.objects.exists()


def test_a_met_month_shows_why_it_cannot_be_investigated(client, owner, bank):
    client.force_login(owner)

    page = client.get(page_url(bank, "2025-04"))
    posted = client.post(page_url(bank, "2025-04"), {"party": "internal"})

    assert page.status_code == 409 and posted.status_code == 409
    assert "compliance was 95.24 % against 95 %" in page.content.decode()
    assert "save-investigation" not in page.content.decode()
    assert not ObjectiveInvestigation.objects.exists()


def test_portal_users_are_refused_and_unknown_targets_are_not_found(client, owner,
                                                                   customer_user, bank):
    bank["sla"].customer.contacts.add(customer_user)
    client.force_login(customer_user)
    assert client.get(page_url(bank)).status_code == 403
    client.force_login(owner)
    assert client.get(f"/objectives/{bank['sla'].pk}/999999/2025-03/").status_code == 404
    assert client.get(f"/objectives/{bank['sla'].pk}/{bank['p2'].pk}/2025-3/"
                      ).status_code == 404
