"""A breached clock's page: the investigation form (reason code from the configurable list,
root cause, responsible party with the suggestion from the attribution preselected, problem
tickets), recorded through the same service as ``PUT /breaches/{id}/investigation``."""

from datetime import timedelta

import pytest

from accord.accounts.models import AuditEntry
from accord.measurement.models import BreachInvestigation, ReasonCode, Ticket
from tests.reporting.conftest import MARCH_START, clock
from tests.reviews.test_plan_risk_forms import field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture(name="breach")
def breach_fixture(gov):
    ReasonCode.objects.update_or_create(code="capacity", defaults={"label": "Not enough people"})
    ReasonCode.objects.create(code="old", label="Retired code", active=False)
    Ticket.objects.create(source="t", ticket_id="PRB-7", type="problem")
    return clock(gov["p1"], "breached", MARCH_START + timedelta(days=1),
                 attribution={"supplier Vendor Co": 3000.0, "team Second Line": 600.0})


def test_the_ticket_page_leads_to_the_breach_page_with_the_suggestion_preselected(
        client, owner, breach):
    client.force_login(owner)
    ticket = client.get(f"/tickets/{breach.ticket_id}/").content.decode()
    assert f'href="/breaches/{breach.pk}/"' in ticket
    page = client.get(f"/breaches/{breach.pk}/").content.decode()
    assert '<option value="supplier" selected>' in page  # Vendor Co held most of the time
    assert '<option value="capacity">' in page and 'value="old"' not in page


def test_an_investigation_is_recorded_from_the_page(client, owner, breach):
    client.force_login(owner)
    answer = client.post(f"/breaches/{breach.pk}/", {
        "reason": "capacity", "root_cause": "Desk understaffed at night",
        "party": "internal", "problems": "PRB-7"})
    assert answer.status_code == 302
    found = BreachInvestigation.objects.get(clock=breach)
    assert found.reason.code == "capacity" and found.party == "internal"
    assert found.confirmed_by == owner and found.suggested_party == "supplier"
    assert [t.ticket_id for t in found.problems.all()] == ["PRB-7"]
    assert AuditEntry.objects.filter(object_id=str(found.pk),
                                     message="breach investigated").exists()
    page = client.get(f"/breaches/{breach.pk}/").content.decode()
    assert "confirmed by oscar" in page and ">PRB-7</a>" in page
    assert '<option value="internal" selected>' in page  # the confirmed party, not the guess


def test_an_unknown_problem_ticket_is_named_and_nothing_is_recorded(client, owner, breach):
    client.force_login(owner)
    page = client.post(f"/breaches/{breach.pk}/", {"reason": "capacity", "party": "internal",
                                                   "problems": "PRB-7, PRB-404"})
    assert page.status_code == 422
    assert "no ticket &#x27;PRB-404&#x27;" in field_errors(page, "problems")
    assert not BreachInvestigation.objects.exists()


def test_readers_customers_and_other_clocks_are_refused(client, gov, reader, customer_user,
                                                        owner, breach):
    client.force_login(reader)
    assert client.get(f"/breaches/{breach.pk}/").status_code == 200  # reads it
    assert client.post(f"/breaches/{breach.pk}/", {"party": "customer"}).status_code == 403
    gov["acme"].contacts.add(customer_user)
    client.force_login(customer_user)
    assert client.get(f"/breaches/{breach.pk}/").status_code == 403
    assert client.post(f"/breaches/{breach.pk}/", {"party": "customer"}).status_code == 403
    assert not BreachInvestigation.objects.exists()
    # A clock that did not breach has no investigation page.
    met = clock(gov["p1"], "met", MARCH_START + timedelta(days=2),
                stopped=MARCH_START + timedelta(days=2, hours=1))
    client.force_login(owner)
    assert client.get(f"/breaches/{met.pk}/").status_code == 404
    assert client.get("/breaches/999999/").status_code == 404
