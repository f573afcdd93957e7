"""Bad input gets a 422 naming the field and changes nothing."""

import pytest

from accord.accounts.models import AuditEntry
from accord.agreements.models import Agreement, AgreementVersion, Target

GOOD = {"name": "Acme SLA", "kind": "sla", "structure": "customer_based"}


def _fields(response):
    return [".".join(str(p) for p in d["loc"][1:]) for d in response.data["detail"]]


@pytest.fixture
def counts(db):
    def take():
        return (Agreement.objects.count(), AgreementVersion.objects.count(),
                Target.objects.count(), AuditEntry.objects.count())
    return take


@pytest.mark.parametrize("change, field", [
    ({"kind": "xla"}, "payload.kind"),
    ({"effective_from": "2025-01-01T00:00:00"}, "payload.effective_from"),  # naive
    ({"customer": 999}, "customer"),
    ({"name": "  "}, "name"),
    ({"structure": "service_based"}, "services"),
    ({"team": 1}, "team"),  # an SLA has no team (checked before the id)
    ({"kind": "ola", "customer": None}, "structure"),
    ({"monthly_charge": "1200", "currency": "euro"}, "currency"),
    ({"effective_from": "2025-02-01T00:00:00Z", "effective_to": "2025-01-01T00:00:00Z"},
     "effective_to"),
    ({"colour": "blue"}, "payload.colour"),  # unknown fields are refused, not ignored
])
def test_creating_an_agreement_with_bad_input_is_refused(slm, acme, api, counts, change, field):
    client = api(slm)
    before = counts()
    body = {**GOOD, "customer": acme.pk, **change}

    response = client.post("agreements", body)

    assert response.status_code == 422, response.data
    assert field in _fields(response)
    assert counts() == before


@pytest.mark.parametrize("body, field", [
    ({"metric": "uptime"}, "payload.metric"),
    ({"metric": "resolution"}, "duration_seconds"),
    ({"metric": "resolution", "duration_seconds": -5}, "duration_seconds"),
    ({"metric": "availability"}, "percentage"),
    ({"metric": "availability", "percentage": 101}, "percentage"),
    ({"metric": "availability", "percentage": 99.9, "objective_percent": 95},
     "objective_percent"),
    ({"metric": "response", "duration_seconds": 60, "warning_thresholds": [90, 50]},
     "warning_thresholds"),
    ({"metric": "response", "duration_seconds": 60,
      "pause_condition": {"field": "mood", "equals": "x"}}, "pause_condition"),
    ({"metric": "response", "duration_seconds": 60, "credit_amount": 100}, "credit_currency"),
    ({"metric": "response", "duration_seconds": 60, "credit_amount": 100,
      "credit_currency": "EUR", "credit_percent": 5}, "credit_percent"),
    ({"metric": "response", "duration_seconds": 60, "service": 999}, "service"),
    ({"metric": "resolution", "priority": "P1", "duration_seconds": 60}, "metric"),  # duplicate
])
def test_adding_a_bad_target_is_refused(draft_sla, slm, api, counts, body, field):
    client = api(slm)
    before = counts()

    response = client.post(f"agreements/{draft_sla.pk}/versions/1/targets", body)

    assert response.status_code == 422, response.data
    assert field in _fields(response)
    assert counts() == before


def test_a_condition_error_says_what_is_wrong(draft_sla, slm, api):
    response = api(slm).post(f"agreements/{draft_sla.pk}/versions/1/targets", {
        "metric": "response", "duration_seconds": 60,
        "stop_condition": {"any": [{"kind": "resolved"}, {"kind": "exploded"}]},
    })
    assert response.status_code == 422
    assert "exploded" in response.data["detail"][0]["msg"]


def test_a_forbidden_transition_is_a_409_naming_from_and_to(draft_sla, slm, api):
    response = api(slm).post(f"agreements/{draft_sla.pk}/transition", {"to": "active"})

    assert response.status_code == 409
    assert "from draft to active" in response.data["detail"][0]["msg"]
    assert Agreement.objects.get().status == "draft"


def test_terminating_without_a_reason_is_a_422(draft_sla, slm, api):
    response = api(slm).post(f"agreements/{draft_sla.pk}/transition", {"to": "terminated"})
    assert response.status_code == 422 and _fields(response) == ["reason"]


def test_unknown_objects_are_404(draft_sla, slm, api):
    client = api(slm)
    assert client.get("agreements/999").status_code == 404
    assert client.get(f"agreements/{draft_sla.pk}/versions/9").status_code == 404
    assert client.get(f"agreements/{draft_sla.pk}/versions/1/targets/999").status_code == 404
    assert client.get("slrs/999").status_code == 404


def test_null_services_clears_the_list_instead_of_failing(draft_sla, slm, api):
    # draft_sla is customer-based: services may be none (= every service of the customer).
    response = api(slm).patch(f"agreements/{draft_sla.pk}", {"services": None})

    assert response.status_code == 200, response.content
    assert response.data["services"] == []
    assert api(slm).patch(f"agreements/{draft_sla.pk}", {"underpins": None}).status_code == 200


def test_a_date_with_no_year_after_it_is_refused_naming_the_field(draft_sla, slm, api, counts):
    client = api(slm)
    before = counts()

    response = client.patch(f"agreements/{draft_sla.pk}/versions/1",
                            {"effective_from": "9999-12-31T23:59:59+00:00"})

    assert response.status_code == 422
    assert _fields(response) == ["effective_from"]
    assert counts() == before


def test_an_unknown_filter_value_is_refused_naming_it(api, reader):
    response = api(reader).get("agreements?kind=zz")
    assert response.status_code == 422
    assert "kind" in response.data["detail"][0]["loc"]
    assert api(reader).get("agreements?status=active").status_code == 200
