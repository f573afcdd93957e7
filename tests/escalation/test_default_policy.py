"""Only administrators change the global default escalation policy: through the API, the
admin and the services alike (issue 14, finding 6). Service level managers keep the policies
of agreements and targets."""

import pytest

from accord.agreements.models import Agreement
from accord.escalation import services
from accord.escalation.models import EscalationPolicy
from accord.lib.errors import Forbidden
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

STEPS = [{"threshold": 75}]


@pytest.fixture
def default(admin_user):
    return services.create_policy(by=admin_user, name="Default", now=NOW, steps=STEPS)


@pytest.fixture
def shop():
    return Agreement.objects.create(name="Web Shop SLA", kind="sla", created_at=NOW)


def test_a_service_level_manager_cannot_create_the_default_through_the_api(slm, api):
    response = api(slm).post("escalation-policies", {"name": "Mine", "steps": STEPS})

    assert response.status_code == 403
    assert "administrators" in response.data["detail"][0]["msg"]
    assert not EscalationPolicy.objects.exists()


def test_a_service_level_manager_cannot_change_or_delete_the_default(slm, api, default):
    me = api(slm)

    assert me.patch(f"escalation-policies/{default.pk}",
                    {"steps": [{"threshold": 99}]}).status_code == 403
    assert me.delete(f"escalation-policies/{default.pk}").status_code == 403
    assert [s.threshold for s in default.steps.all()] == [75]


def test_a_service_level_manager_cannot_turn_an_agreement_policy_into_the_default(
        slm, api, shop):
    created = api(slm).post("escalation-policies",
                            {"name": "Shop", "agreement_id": shop.pk, "steps": STEPS})
    assert created.status_code == 201

    moved = api(slm).patch(f"escalation-policies/{created.data['id']}",
                           {"agreement_id": None, "target_id": None})

    assert moved.status_code == 403
    assert EscalationPolicy.objects.get().agreement_id == shop.pk


def test_an_administrator_changes_the_default(admin_user, api, default):
    patched = api(admin_user).patch(f"escalation-policies/{default.pk}",
                                    {"steps": [{"threshold": 90}]})

    assert patched.status_code == 200
    assert [s["threshold"] for s in patched.data["steps"]] == [90]


def test_the_services_refuse_too(slm, default):
    with pytest.raises(Forbidden):
        services.update_policy(default, by=slm, name="Renamed")
    with pytest.raises(Forbidden):
        services.delete_policy(default, by=slm)


def test_the_admin_refuses_a_service_level_manager_on_the_default(client, slm, default, shop):
    client.force_login(slm)
    page = f"/admin/escalation/escalationpolicy/{default.pk}/change/"
    form = {"name": "Renamed", "description": "", "agreement": "", "target": "",
            "steps-TOTAL_FORMS": "0", "steps-INITIAL_FORMS": "0"}

    assert client.post(page, form).status_code == 403
    assert client.post(f"/admin/escalation/escalationpolicy/{default.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert EscalationPolicy.objects.get().name == "Default"


def test_the_admin_refuses_a_service_level_manager_a_new_default(client, slm):
    client.force_login(slm)
    form = {"name": "New", "description": "", "agreement": "", "target": "",
            "steps-TOTAL_FORMS": "0", "steps-INITIAL_FORMS": "0"}

    refused = client.post("/admin/escalation/escalationpolicy/add/", form)

    assert "only administrators" in refused.content.decode()
    assert not EscalationPolicy.objects.exists()
