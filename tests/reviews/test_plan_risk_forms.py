"""The page forms of improvement plans and the risk register: they do what the API does
(same roles, same service functions, audited), show a service's error next to the field it
names and change nothing then; portal users and readers are refused; another customer's plan
is a 404."""

import pytest

from accord.accounts.models import AuditEntry
from accord.catalogue.models import Customer
from accord.reviews import plans
from accord.reviews.models import Action, Plan, Risk
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def field_errors(page, name: str) -> str:
    """The error text shown in the form row of field ``name``."""
    html = page.content.decode()
    row = html[html.index(f'for="id_{name}"'):]
    return row[:row.index('<div class="field-row')] if '<div class="field-row' in row else row


@pytest.fixture(name="plan")
def plan_fixture(gov, owner):
    return plans.create_plan(by=owner, now=NOW, title="Faster P1 fixes",
                             shortfall="P1 resolution missed 90 % in March",
                             agreement=gov["sla"], targets=[gov["p1"].pk])


def test_a_service_owner_proposes_a_plan_from_the_plan_list(client, gov, owner):
    client.force_login(owner)
    assert b'href="/plans/new"' in client.get("/plans/").content
    page = client.post("/plans/new", {
        "agreement": gov["sla"].pk, "title": "Night cover", "shortfall": "P1s wait overnight",
        "targets": [gov["p1"].pk], "milestones": "Rota agreed | 2025-05-01\nHire | | done"})
    plan = Plan.objects.get()
    assert page.status_code == 302 and page["Location"] == f"/plans/{plan.pk}/"
    assert plan.status == "draft" and plan.owner == owner and plan.proposed_by == owner
    assert list(plan.targets.all()) == [gov["p1"]]
    assert plan.milestones == [{"title": "Rota agreed", "due": "2025-05-01", "done": False},
                               {"title": "Hire", "due": None, "done": True}]
    # Audited by the service, like an API call.
    assert AuditEntry.objects.filter(object_id=str(plan.pk), message="plan proposed").exists()


def test_a_bad_milestone_date_is_shown_at_the_milestones_and_nothing_is_made(client, gov,
                                                                             owner):
    client.force_login(owner)
    page = client.post("/plans/new", {"agreement": gov["sla"].pk, "title": "Night cover",
                                      "shortfall": "P1s wait", "milestones": "Rota | May"})
    assert page.status_code == 422
    assert "due must be a date" in field_errors(page, "milestones")
    assert not Plan.objects.exists()


def test_a_plan_is_edited_and_its_terms_are_fixed_once_approved(client, gov, owner, slm,
                                                                plan):
    client.force_login(owner)
    assert f'href="/plans/{plan.pk}/edit"'.encode() in client.get(f"/plans/{plan.pk}/").content
    client.post(f"/plans/{plan.pk}/edit", {"title": "Faster P1 fixes (night)",
                                           "shortfall": plan.shortfall,
                                           "targets": [gov["p1"].pk, gov["p2"].pk]})
    plan.refresh_from_db()
    assert plan.title == "Faster P1 fixes (night)"
    assert {t.pk for t in plan.targets.all()} == {gov["p1"].pk, gov["p2"].pk}
    plans.approve_plan(plan, by=slm, now=NOW)
    # Approved: the form offers milestones and status only; starting it works.
    form = client.get(f"/plans/{plan.pk}/edit").content.decode()
    assert 'name="shortfall"' not in form and 'name="status"' in form
    client.post(f"/plans/{plan.pk}/edit", {"milestones": "Rota | 2025-05-01",
                                           "status": "started"})
    plan.refresh_from_db()
    assert plan.status == "started" and plan.started_at is not None


def test_a_forbidden_status_move_is_shown_at_the_status_and_nothing_changes(client, owner,
                                                                            plan):
    client.force_login(owner)
    page = client.post(f"/plans/{plan.pk}/edit", {
        "title": "Renamed", "shortfall": plan.shortfall, "status": "started"})
    assert page.status_code == 422
    assert "approve it first" in field_errors(page, "status")
    assert "Renamed" not in page.content.decode().split("<h1>")[1].split("</h1>")[0]
    plan.refresh_from_db()
    assert plan.title == "Faster P1 fixes" and plan.status == "draft"


def test_actions_are_added_to_a_plan_on_its_page(client, gov, owner, slm, plan):
    client.force_login(owner)
    page = client.post(f"/plans/{plan.pk}/actions", {"title": "Write the runbook",
                                                     "owner": slm.pk, "due": "2025-05-01"})
    assert page.status_code == 302
    action = Action.objects.get()
    assert action.plan == plan and action.source == "plan" and action.owner == slm
    assert b"Write the runbook" in client.get(f"/plans/{plan.pk}/").content
    # An empty title is named at the title, and no action is raised.
    refused = client.post(f"/plans/{plan.pk}/actions", {"title": " "})
    assert refused.status_code == 422 and "required" in field_errors(refused, "title")
    assert Action.objects.count() == 1


def test_readers_and_customers_cannot_use_the_plan_forms(client, gov, reader, customer_user,
                                                         plan):
    client.force_login(reader)
    assert b'href="/plans/new"' not in client.get("/plans/").content
    assert client.get("/plans/new").status_code == 403
    assert client.post(f"/plans/{plan.pk}/edit", {"title": "x", "shortfall": "y"}
                       ).status_code == 403
    assert client.post(f"/plans/{plan.pk}/actions", {"title": "x"}).status_code == 403
    # A customer sees their customer-facing plan but may not edit it; another customer's
    # plan does not exist for them.
    Plan.objects.filter(pk=plan.pk).update(customer_facing=True)
    gov["acme"].contacts.add(customer_user)
    client.force_login(customer_user)
    assert client.get(f"/plans/{plan.pk}/").status_code == 200
    assert client.get(f"/plans/{plan.pk}/edit").status_code == 403
    assert client.get("/plans/new").status_code == 403
    gov["acme"].contacts.remove(customer_user)
    Customer.objects.create(name="Globex").contacts.add(customer_user)
    assert client.get(f"/plans/{plan.pk}/edit").status_code == 404
    assert client.post(f"/plans/{plan.pk}/actions", {"title": "x"}).status_code == 404
    plan.refresh_from_db()
    assert plan.title == "Faster P1 fixes" and not Action.objects.exists()


def test_a_service_owner_registers_and_edits_a_risk_of_their_service(client, gov, owner):
    client.force_login(owner)
    assert b'href="/risks/new"' in client.get("/risks/").content
    page = client.post("/risks/new", {"title": "Night desk understaffed", "service":
                                      gov["shop"].pk, "likelihood": 4, "impact": 3,
                                      "status": "open", "review_date": "2025-06-01"})
    assert page.status_code == 302
    risk = Risk.objects.get()
    assert risk.score == 12 and risk.owner == owner and str(risk.review_date) == "2025-06-01"
    assert f'href="/risks/{risk.pk}/edit"'.encode() in client.get("/risks/").content
    client.post(f"/risks/{risk.pk}/edit", {"title": risk.title, "likelihood": 2, "impact": 3,
                                           "status": "mitigating"})
    risk.refresh_from_db()
    assert risk.score == 6 and risk.status == "mitigating"
    assert AuditEntry.objects.filter(object_id=str(risk.pk), action="update").exists()


def test_a_likelihood_out_of_range_is_named_and_nothing_changes(client, gov, owner):
    client.force_login(owner)
    page = client.post("/risks/new", {"title": "x", "service": gov["shop"].pk,
                                      "likelihood": 7, "impact": 3, "status": "open"})
    assert page.status_code == 422
    assert "likelihood must be a whole number from 1 to 5" in field_errors(page, "likelihood")
    assert not Risk.objects.exists()
    risk = Risk.objects.create(title="Kept", service=gov["shop"], likelihood=2, impact=2,
                               created_at=NOW)
    page = client.post(f"/risks/{risk.pk}/edit", {"title": "Changed", "likelihood": 2,
                                                  "impact": 0, "status": "open"})
    assert page.status_code == 422 and "impact must be" in field_errors(page, "impact")
    risk.refresh_from_db()
    assert risk.title == "Kept" and risk.impact == 2


def test_who_may_not_register_or_change_risks_is_refused(client, gov, owner, reader,
                                                         customer_user):
    risk = Risk.objects.create(title="Kept", agreement=gov["sla"], likelihood=2, impact=2,
                               created_at=NOW)
    client.force_login(reader)
    assert b'href="/risks/new"' not in client.get("/risks/").content
    assert client.post("/risks/new", {"title": "x", "service": gov["shop"].pk,
                                      "likelihood": 1, "impact": 1,
                                      "status": "open"}).status_code == 403
    gov["acme"].contacts.add(customer_user)
    client.force_login(customer_user)
    assert client.get("/risks/new").status_code == 403
    assert client.post(f"/risks/{risk.pk}/edit", {"title": "x", "likelihood": 1,
                                                  "impact": 1, "status": "open"}
                       ).status_code == 403
    # A service owner changes only risks of their own services (or their own risks).
    client.force_login(owner)
    assert client.post(f"/risks/{risk.pk}/edit", {"title": "x", "likelihood": 1,
                                                  "impact": 1, "status": "open"}
                       ).status_code == 403
    risk.refresh_from_db()
    assert risk.title == "Kept" and Risk.objects.count() == 1
