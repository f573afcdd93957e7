"""Authoring agreements in the app: a service level manager creates an agreement, edits its
draft, adds targets through a form (hours and minutes, clock rules as fields, not JSON),
sets a priority matrix and previews a target's reach. Refusals name the field and change
nothing; other roles get 403."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accord.accounts.models import AuditEntry
from accord.agreements.models import Agreement, PriorityMatrixCell, Target
from tests.web.conftest import add_target, login, sign
from tests.web.test_clock_pages import ingest, ticket


def agreement_post(**extra):
    data = {"name": "Globex Web Shop", "kind": "sla", "structure": "customer_based",
            "currency": "", "description": "", "v-text": "Terms",
            "v-effective_from": "2025-01-01T00:00"}
    data.update(extra)
    return data


def target_post(**extra):
    data = {"metric": "resolution", "name": "", "priority": "P1", "ticket_type": "",
            "duration_hours": "2", "duration_minutes": "30", "objective_percent": "95",
            "period": "month", "warnings": "50, 80", "reopen_policy": "new_cycle",
            "pause_statuses": "Pending customer, Awaiting supplier", "stop_kinds": ["resolved"]}
    data.update(extra)
    return data


def test_it_creates_an_agreement_with_its_first_version(client, slm, globex, web_shop):
    login(client, slm)
    response = client.post("/agreements/new", agreement_post(
        customer=globex.pk, services=[web_shop.pk], owner=slm.pk))

    agreement = Agreement.objects.get(name="Globex Web Shop")
    assert response.status_code == 302
    assert response["Location"] == f"/agreements/{agreement.pk}/"
    version = agreement.latest_version()
    # The first version carries the text and date entered on the same page.
    assert (version.number, version.text) == (1, "Terms")
    assert version.effective_from.isoformat() == "2025-01-01T00:00:00+00:00"
    assert list(agreement.services.all()) == [web_shop]
    assert AuditEntry.objects.filter(object_repr__contains="Globex Web Shop").exists()


def test_it_names_the_field_a_service_refused_and_creates_nothing(client, slm, web_shop):
    login(client, slm)
    response = client.post("/agreements/new", agreement_post(services=[web_shop.pk]))

    assert response.status_code == 422
    field = response.context["form"]["customer"]
    assert field.errors == ["a customer-based SLA needs a customer"]
    # The message sits next to the customer field on the page.
    assert b"a customer-based SLA needs a customer" in response.content
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("path", ["/agreements/new", "/agreements/{pk}/edit",
                                  "/agreements/{pk}/matrix",
                                  "/agreements/{pk}/versions/1/targets/new"])
def test_it_refuses_authoring_to_a_reader(client, reader, globex_sla, path):
    login(client, reader)
    assert client.get(path.format(pk=globex_sla.pk)).status_code == 403
    assert client.post(path.format(pk=globex_sla.pk), {}).status_code == 403


def test_it_adds_a_target_from_hours_minutes_and_rule_fields(client, slm, globex_sla):
    login(client, slm)
    response = client.post(f"/agreements/{globex_sla.pk}/versions/1/targets/new",
                           target_post(priority="P2"))

    assert response.status_code == 302
    target = Target.objects.get(version__agreement=globex_sla, priority="P2")
    assert target.duration_seconds == 2 * 3600 + 30 * 60
    assert target.warning_thresholds == [50, 80]
    assert target.pause_condition == {"field": "status",
                                      "in": ["Pending customer", "Awaiting supplier"]}
    assert target.stop_condition == {"kind": ["resolved"]}
    assert target.start_condition is None


def test_it_shows_a_missing_duration_next_to_the_hours(client, slm, globex_sla):
    login(client, slm)
    response = client.post(f"/agreements/{globex_sla.pk}/versions/1/targets/new",
                           target_post(priority="P3", duration_hours="", duration_minutes=""))

    assert response.status_code == 422
    assert "positive whole number of seconds" in response.context["form"].errors[
        "duration_hours"][0]
    assert not Target.objects.filter(priority="P3").exists()


def test_it_refuses_a_second_target_with_the_same_scope(client, slm, globex_sla):
    login(client, slm)
    response = client.post(f"/agreements/{globex_sla.pk}/versions/1/targets/new",
                           target_post(priority="P1"))

    assert response.status_code == 422
    assert "already has a target" in response.context["form"].errors["metric"][0]


def test_it_edits_a_target_and_keeps_its_rules_in_the_form(client, slm, globex_sla):
    login(client, slm)
    target = globex_sla.latest_version().targets.get()
    url = f"/agreements/{globex_sla.pk}/versions/1/targets/{target.pk}/edit"
    client.post(url, target_post(duration_hours="6", duration_minutes="0"))

    target.refresh_from_db()
    assert target.duration_seconds == 6 * 3600
    page = client.get(url)
    form = page.context["form"]
    assert form["pause_statuses"].value() == "Pending customer, Awaiting supplier"
    assert form["duration_hours"].value() == 6


def test_it_refuses_to_edit_a_target_of_a_signed_version(client, slm, acme_sla):
    login(client, slm)
    target = acme_sla.versions.get(number=1).targets.get()
    response = client.post(
        f"/agreements/{acme_sla.pk}/versions/1/targets/{target.pk}/edit",
        target_post(duration_hours="1", duration_minutes="0"))

    assert response.status_code == 422
    assert b"agreed and frozen" in response.content
    target.refresh_from_db()
    assert target.duration_seconds == 4 * 3600


def test_it_starts_a_new_draft_version_and_edits_its_dates(client, slm, globex_sla):
    sign(globex_sla.latest_version(), slm)
    login(client, slm)
    response = client.post(f"/agreements/{globex_sla.pk}/versions/new",
                           {"effective_from": "2026-01-01T09:00", "change_summary": "2026"})

    assert response.status_code == 302
    v2 = globex_sla.versions.get(number=2)
    assert v2.change_summary == "2026" and v2.targets.count() == 1
    response = client.post(f"/agreements/{globex_sla.pk}/versions/2/edit", {
        "effective_from": "2026-01-01T09:00", "effective_to": "2025-12-01T00:00",
        "text": "", "change_summary": "2026"})
    assert response.status_code == 422
    assert response.context["form"].errors["effective_to"] == [
        "effective_to must be after effective_from"]


def test_it_saves_a_priority_matrix_and_names_a_duplicate_row(client, slm, globex_sla):
    login(client, slm)
    url = f"/agreements/{globex_sla.pk}/matrix"
    rows = {"impact_0": "1", "urgency_0": "1", "priority_0": "P1",
            "impact_1": "1", "urgency_1": "2", "priority_1": "P2"}
    assert client.post(url, rows).status_code == 302
    assert sorted(PriorityMatrixCell.objects.filter(agreement=globex_sla).values_list(
        "impact", "urgency", "priority")) == [("1", "1", "P1"), ("1", "2", "P2")]

    response = client.post(url, {**rows, "impact_3": "1", "urgency_3": "2", "priority_3": "P3"})
    assert response.status_code == 422
    assert response.context["form"].errors["urgency_3"] == [
        "impact 1 × urgency 2 appears twice"]
    assert PriorityMatrixCell.objects.filter(agreement=globex_sla).count() == 2
    matrix = client.get(f"/agreements/{globex_sla.pk}/").content.decode()
    assert "<tr><td>1</td><td>2</td><td>P2</td></tr>" in matrix


def test_the_target_form_previews_how_many_tickets_it_reaches(client, slm, acme, globex,
                                                            web_shop):
    from accord.agreements import services as agreements

    sla = agreements.create_agreement(
        by=slm, now=timezone.now(), name="Acme", kind="sla", structure="customer_based",
        customer=acme, services=[web_shop], effective_from=timezone.now() - timedelta(days=90))
    add_target(sla.latest_version(), slm, priority="P1")
    now = timezone.now()
    ingest(ticket("A1", now - timedelta(days=3)), ticket("A2", now - timedelta(days=10)),
           ticket("A3", now - timedelta(days=5), priority="P2"),
           ticket("A4", now - timedelta(days=45)),  # before the window
           ticket("G1", now - timedelta(days=2), customer="Globex"))
    login(client, slm)

    response = client.post(f"/agreements/{sla.pk}/reach",
                           {"metric": "resolution", "priority": "P1", "service": ""})
    assert response.status_code == 200
    assert "would have applied to <strong>2 tickets</strong> in the last 30 days" in (
        response.content.decode())
    response = client.post(f"/agreements/{sla.pk}/reach", {"metric": "resolution"})
    assert "<strong>3 tickets</strong>" in response.content.decode()


@pytest.mark.parametrize("path", ["/agreements/new", "/agreements/{pk}/edit",
                                  "/agreements/{pk}/matrix", "/agreements/{pk}/versions/1/edit",
                                  "/agreements/{pk}/versions/1/targets/new",
                                  "/agreements/{pk}/versions/1/targets/{t}/edit"])
def test_every_authoring_page_opens_with_labelled_fields(client, slm, globex_sla, path):
    login(client, slm)
    target = globex_sla.latest_version().targets.get()
    response = client.get(path.format(pk=globex_sla.pk, t=target.pk))
    assert response.status_code == 200
    # Each form shows its fields with their labels, and the detail page links here.
    assert b"<label" in response.content or b"aria-label" in response.content
    detail = client.get(f"/agreements/{globex_sla.pk}/").content.decode()
    assert "Add target" in detail and "Priority matrix" in detail


def test_a_rule_on_an_unknown_field_is_named_next_to_it(client, slm, globex_sla):
    login(client, slm)
    response = client.post(f"/agreements/{globex_sla.pk}/versions/1/targets/new",
                           target_post(priority="P4", pause_field="colour",
                                       pause_values="red"))
    assert response.status_code == 422
    assert "unknown field 'colour'" in response.context["form"].errors["pause_field"][0]


def test_a_rule_the_form_cannot_show_is_kept_when_the_target_is_saved(client, slm,
                                                                     globex_sla):
    target = globex_sla.latest_version().targets.get()
    rule = {"not": {"field": "status", "in": ["Open"]}}
    Target.objects.filter(pk=target.pk).update(cancel_condition=rule)
    login(client, slm)
    url = f"/agreements/{globex_sla.pk}/versions/1/targets/{target.pk}/edit"
    assert "kept as it is" in client.get(url).content.decode()

    client.post(url, target_post(duration_hours="5", duration_minutes="0"))
    target.refresh_from_db()
    assert (target.duration_seconds, target.cancel_condition) == (5 * 3600, rule)


def test_a_signed_agreement_keeps_its_parties_when_edited(client, slm, acme_sla, globex):
    login(client, slm)
    response = client.post(f"/agreements/{acme_sla.pk}/edit", agreement_post(
        name="Acme Web Shop 2026", customer=globex.pk, services=[
            s.pk for s in acme_sla.services.all()]))

    assert response.status_code == 302
    acme_sla.refresh_from_db()
    # The name changed; the customer field is fixed (disabled) once a version is signed.
    assert (acme_sla.name, acme_sla.customer.name) == ("Acme Web Shop 2026", "Acme")


def test_the_detail_page_leads_to_the_draft_or_to_a_new_one(client, slm, acme_sla,
                                                             globex_sla):
    login(client, slm)
    # Acme shows its version in force, v1; its v2 draft is one click away.
    assert "Open draft v2" in client.get(f"/agreements/{acme_sla.pk}/").content.decode()
    sign(globex_sla.latest_version(), slm)
    assert "New draft version" in client.get(f"/agreements/{globex_sla.pk}/").content.decode()


def test_a_draft_version_is_discarded_but_the_first_one_is_kept(client, slm, acme_sla,
                                                                globex_sla):
    login(client, slm)
    assert "Discard draft v2" in client.get(
        f"/agreements/{acme_sla.pk}/versions/2/edit").content.decode()
    client.post(f"/agreements/{acme_sla.pk}/versions/2/delete")
    assert list(acme_sla.versions.values_list("number", flat=True)) == [1]

    response = client.post(f"/agreements/{globex_sla.pk}/versions/1/delete", follow=True)
    assert "keeps its first version" in response.content.decode()
    assert globex_sla.versions.count() == 1
