"""Agreement templates: versioned, instantiated for a customer and service, a team or a
supplier, with text placeholders, targets, priority matrix, escalation policy and review
cadence; the demo ships three."""

from datetime import UTC, datetime

import pytest

from accord.agreements.models import PriorityMatrixCell
from accord.catalogue.models import Calendar, Customer, Service, Supplier, Team
from accord.escalation.models import EscalationPolicy
from accord.lib.errors import InvalidInput
from accord.planning import demo_templates
from accord.planning.models import AgreementTemplate
from accord.planning.templating import current, instantiate, save_template
from tests.conftest import NOW

pytestmark = pytest.mark.django_db
JUNE = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture(name="calendars")
def calendars_fixture(db):
    return {"uk": Calendar.objects.create(name="UK office", tz="Europe/London", hours={
                d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}),
            "24x7": Calendar.objects.create(name="24x7", tz="UTC", always_open=True)}


def test_the_demo_templates_instantiate_for_each_kind(calendars, slm):
    sla_t, ola_t, uc_t = demo_templates.load(by=slm, now=NOW, calendars=calendars)
    shop = Service.objects.create(name="Web Shop", status="live")

    sla = instantiate(sla_t, by=slm, now=NOW, service=shop, effective_from=JUNE)

    assert sla.kind == "sla" and sla.structure == "service_based" and sla.status == "draft"
    assert list(sla.services.all()) == [shop] and sla.calendar == calendars["uk"]
    draft = sla.draft_version()
    assert "This agreement covers Web Shop for every customer from 2025-06-01." in draft.text
    assert draft.review_due == datetime(2026, 6, 1, tzinfo=UTC)  # 12-month cadence
    targets = {(t.metric, t.priority): t for t in draft.targets.all()}
    assert targets[("resolution", "P1")].duration_seconds == 4 * 3600
    assert targets[("resolution", "P2")].duration_seconds == 10 * 3600  # 1 UK office day
    assert targets[("resolution", "P1")].calendar == calendars["24x7"]
    assert str(targets[("availability", "")].percentage) == "99.9000"
    assert PriorityMatrixCell.objects.filter(agreement=sla).count() == 9
    policy = EscalationPolicy.objects.get(agreement=sla)
    assert policy.steps.count() == 2

    ola = instantiate(ola_t, by=slm, now=NOW, team=Team.objects.create(name="Ops"),
                      effective_from=JUNE)
    assert ola.kind == "ola" and "Ops supports the service desk" in ola.draft_version().text
    assert ola.draft_version().review_due == datetime(2025, 12, 1, tzinfo=UTC)
    uc = instantiate(uc_t, by=slm, now=NOW, supplier=Supplier.objects.create(name="Host"),
                     service=shop)
    assert uc.kind == "uc" and uc.draft_version().targets.count() == 3
    with pytest.raises(InvalidInput) as missing:
        instantiate(uc_t, by=slm, now=NOW)
    assert missing.value.field == "supplier"


def test_templates_are_versioned_and_checked(calendars, slm):
    first = save_template("Small SLA", by=slm, now=NOW, kind="sla",
                          structure="customer_based",
                          sections=[{"title": "Scope", "text": "For {customer}."}],
                          targets=[{"metric": "resolution", "priority": "P1",
                                    "duration": "4h"}])
    second = save_template("Small SLA", by=slm, now=NOW, targets=[
        {"metric": "resolution", "priority": "P1", "duration": "2h"}])
    assert (first.number, second.number) == (1, 2) and current("Small SLA") == second
    assert AgreementTemplate.objects.get(pk=first.pk).targets[0]["duration"] == "4h"
    assert second.sections == first.sections  # carried over
    acme = Customer.objects.create(name="Acme")
    sla = instantiate(second, by=slm, now=NOW, customer=acme)
    assert sla.draft_version().text == "Scope\n\nFor Acme."
    assert sla.draft_version().targets.get().duration_seconds == 2 * 3600
    with pytest.raises(InvalidInput) as bad:
        save_template("Small SLA", by=slm, now=NOW, sections=[{"text": "For {client}."}])
    assert bad.value.field == "sections[0].text"
    with pytest.raises(InvalidInput) as bad:
        save_template("Small SLA", by=slm, now=NOW, targets=[
            {"metric": "resolution", "duration": "soon"}])
    assert bad.value.field == "targets[0].duration"
    assert current("Small SLA").number == 2


def test_new_agreement_from_template_page_and_api(calendars, slm, client, api):
    templates = demo_templates.load(by=slm, now=NOW, calendars=calendars)
    shop = Service.objects.create(name="Web Shop", status="live")
    client.force_login(slm)
    assert "/agreements/from-template" in client.get("/agreements/").content.decode()
    response = client.post("/agreements/from-template", {
        "template": templates[0].pk, "service": shop.pk, "effective_from": "2025-06-01"})
    assert response.status_code == 302
    listed = api(slm).get("agreement-templates").data
    assert [t["name"] for t in listed] == ["Internal OLA", "Service-based SLA", "Supplier UC"]
    team = Team.objects.create(name="Ops")
    made = api(slm).post(f"agreement-templates/{templates[1].pk}/instantiate",
                         {"team": team.pk})
    assert made.status_code == 201 and made.data["agreement"].startswith("OLA-")
    refused = api(slm).post(f"agreement-templates/{templates[1].pk}/instantiate", {})
    assert refused.status_code == 422 and "team" in str(refused.data)
