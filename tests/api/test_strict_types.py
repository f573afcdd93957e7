"""Strict types on ids and bodies (issue 14, finding 8): ``true`` is not user 1, and a body
that is not a JSON object is a 422 naming the body, with nothing changed."""

import pytest

from accord.catalogue.models import Customer, Service
from accord.escalation.models import EscalationPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return Service.objects.create(name="Web Shop", description="The shop.")


def _locs(response):
    return [tuple(d["loc"]) for d in response.data["detail"]]


@pytest.mark.parametrize("value", [True, False, "1", 1.5, 0, 2**64, [1], {"id": 1}])
def test_an_id_that_is_not_a_positive_json_integer_is_refused_naming_the_field(
        slm, api, shop, value):
    response = api(slm).patch(f"services/{shop.pk}", {"owner": value})

    assert response.status_code == 422
    assert any(loc[-1] == "owner" for loc in _locs(response)), response.data
    shop.refresh_from_db()
    assert shop.owner_id is None


def test_ids_in_lists_are_strict_too(slm, api):
    response = api(slm).post("customers", {"name": "Acme", "contacts": [True]})

    assert response.status_code == 422
    assert _locs(response)[0][-2:] == ("contacts", 0)
    assert not Customer.objects.exists()


def test_a_boolean_is_not_a_number(slm, api, shop):
    response = api(slm).patch(f"services/{shop.pk}", {"criticality": True})

    assert response.status_code == 422
    assert _locs(response)[0][-1] == "criticality"


@pytest.mark.parametrize("body", [["description", "x"], "x", 3, True, []])
def test_a_patch_body_that_is_not_an_object_is_refused_naming_the_body(slm, api, shop, body):
    response = api(slm).patch(f"services/{shop.pk}", body)

    assert response.status_code == 422
    assert _locs(response)[0][0] == "body"
    assert "JSON object" in response.data["detail"][0]["msg"]
    shop.refresh_from_db()
    assert shop.description == "The shop."


def test_a_post_body_that_is_not_an_object_is_refused(admin_user, api):
    response = api(admin_user).post("escalation-policies", [{"name": "Default"}])

    assert response.status_code == 422
    assert "JSON object" in response.data["detail"][0]["msg"]
    assert not EscalationPolicy.objects.exists()


def test_a_nested_item_that_is_not_an_object_is_refused_naming_it(admin_user, api):
    response = api(admin_user).post("escalation-policies",
                                    {"name": "Default", "steps": ["75 %"]})

    assert response.status_code == 422
    assert _locs(response)[0][-2:] == ("steps", 0)


@pytest.mark.parametrize("as_sent", [int, float])  # JSON Schema: 3.0 is the integer 3
def test_a_good_id_still_works(slm, api, shop, as_sent):
    response = api(slm).patch(f"services/{shop.pk}", {"owner": as_sent(slm.pk)})

    assert response.status_code == 200 and response.data["owner"] == slm.pk


def test_a_boolean_is_not_a_fraction(slm, api, shop):
    response = api(slm).post("outages", {"service": shop.pk, "start": "2025-03-03T09:00:00Z",
                                         "impact": True})

    assert response.status_code == 422
    assert _locs(response)[0][-1] == "impact"
