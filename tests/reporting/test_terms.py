"""The reporting terms of agreements and targets: zone, cap, credit basis and currency."""

import pytest

from accord.agreements.models import Agreement, Target

pytestmark = pytest.mark.django_db


def draft(api, slm, world, **extra):
    client = api(slm)
    body = {"name": "Acme extra", "kind": "sla", "structure": "customer_based",
            "customer": world["acme"].pk, "services": [world["shop"].pk],
            "monthly_charge": "2000", "currency": "EUR", **extra}
    response = client.post("agreements", body)
    assert response.status_code in (200, 201), response.data
    return client, response.data


def test_an_agreement_takes_a_reporting_zone_and_a_credit_cap(world, api, slm):
    client, data = draft(api, slm, world, reporting_time_zone="Europe/London",
                         credit_cap_percent="20")
    assert data["reporting_time_zone"] == "Europe/London"
    assert float(data["credit_cap_percent"]) == 20.0

    response = client.patch(f"agreements/{data['id']}", {"reporting_time_zone": "Mars/Base"})
    assert response.status_code == 422
    assert response.data["detail"][0]["loc"][-1] == "reporting_time_zone"
    response = client.patch(f"agreements/{data['id']}", {"credit_cap_percent": "120"})
    assert response.status_code == 422
    assert response.data["detail"][0]["loc"][-1] == "credit_cap_percent"
    assert Agreement.objects.get(pk=data["id"]).reporting_time_zone == "Europe/London"


def test_a_targets_credit_currency_must_be_the_agreements(world, api, slm):
    client, data = draft(api, slm, world)
    url = f"agreements/{data['id']}/versions/1/targets"
    body = {"metric": "resolution", "priority": "P1", "duration_seconds": 3600,
            "credit_amount": "50", "credit_currency": "USD"}

    response = client.post(url, body)

    assert response.status_code == 422
    assert response.data["detail"][0]["loc"][-1] == "credit_currency"
    assert "EUR" in response.data["detail"][0]["msg"]
    assert not Target.objects.filter(version__agreement_id=data["id"]).exists()

    ok = client.post(url, {**body, "credit_currency": "EUR", "credit_basis": "per_breach"})
    assert ok.status_code in (200, 201), ok.data
    assert ok.data["credit_basis"] == "per_breach"
    patched = client.patch(f"{url}/{ok.data['id']}", {"credit_currency": "GBP"})
    assert patched.status_code == 422
    assert patched.data["detail"][0]["loc"][-1] == "credit_currency"
    assert Target.objects.get(pk=ok.data["id"]).credit_currency == "EUR"


def test_the_credit_basis_defaults_to_per_missed_objective(world, api, slm):
    client, data = draft(api, slm, world)
    url = f"agreements/{data['id']}/versions/1/targets"
    made = client.post(url, {"metric": "resolution", "priority": "P1",
                             "duration_seconds": 3600})
    assert made.data["credit_basis"] == "per_missed_objective"
    bad = client.post(url, {"metric": "resolution", "priority": "P2", "duration_seconds": 60,
                            "credit_basis": "per_sunny_day"})
    assert bad.status_code == 422


def test_the_currency_cannot_leave_a_drafts_credits_behind(world, api, slm):
    client, data = draft(api, slm, world)
    client.post(f"agreements/{data['id']}/versions/1/targets",
                {"metric": "resolution", "priority": "P1", "duration_seconds": 3600,
                 "credit_amount": "50", "credit_currency": "EUR"})

    response = client.patch(f"agreements/{data['id']}", {"currency": "USD"})

    assert response.status_code == 422
    assert response.data["detail"][0]["loc"][-1] == "currency"
    assert Agreement.objects.get(pk=data["id"]).currency == "EUR"
