"""Bad input gets a 422 naming the field, and a rejected request changes nothing."""

import pytest

from accord.accounts.models import AuditEntry
from accord.catalogue.models import Component, Customer, Service


def refused(response, field):
    assert response.status_code == 422, response.data
    detail = response.data["detail"][0]
    assert detail["loc"][-1] == field, detail
    return detail["msg"]


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"name": "  "}, "name", "must not be empty"),
        ({"name": "Intranet", "criticality": 7}, "criticality", "1–4"),
        ({"name": "Intranet", "criticality": 0}, "criticality", "1–4"),
        ({"name": "Intranet", "status": "sleeping"}, "status", "'sleeping' is not one of"),
        ({"name": "Intranet", "status": "retired"}, "status", "a new service cannot be"),
        ({"name": "Intranet", "owner": 99999}, "owner", "no user with id 99999"),
        ({"name": "Intranet", "calendar": 99999}, "calendar", "no calendar with id 99999"),
    ],
)
def test_it_names_the_bad_field_of_a_new_service(slm, api, body, field, says):
    me = api(slm)
    audit_rows = AuditEntry.objects.count()

    message = refused(me.post("services", body), field)

    assert says in message
    assert not Service.objects.exists()
    assert AuditEntry.objects.count() == audit_rows


def test_names_are_unique_whatever_their_case_and_spacing(web_shop, slm, api):
    message = refused(api(slm).post("services", {"name": " web   SHOP "}), "name")

    assert message == "a service named 'web SHOP' already exists"
    assert Service.objects.count() == 1


def test_a_patch_with_one_bad_field_changes_none_of_the_others(web_shop, slm, api):
    me = api(slm)
    audit_rows = AuditEntry.objects.count()

    response = me.patch(f"services/{web_shop.pk}", {"description": "new", "criticality": 9})

    refused(response, "criticality")
    web_shop.refresh_from_db()
    assert (web_shop.description, web_shop.criticality) == ("", 1)
    assert AuditEntry.objects.count() == audit_rows


def test_a_wrongly_typed_field_is_refused_by_the_schema_with_its_path(web_shop, slm, api):
    response = api(slm).patch(f"services/{web_shop.pk}", {"criticality": "very"})

    assert response.status_code == 422
    assert response.data["detail"][0]["loc"][-1] == "criticality"


def test_status_moves_only_forward_through_the_lifecycle(slm, api):
    me = api(slm)
    pk = me.post("services", {"name": "Intranet"}).data["id"]

    assert me.patch(f"services/{pk}", {"status": "live"}).status_code == 200
    message = refused(me.patch(f"services/{pk}", {"status": "pipeline"}), "status")
    assert message == "status cannot move from live to pipeline"
    assert me.patch(f"services/{pk}", {"status": "retired"}).status_code == 200
    # A retirement can be undone while the service is still wanted.
    assert me.patch(f"services/{pk}", {"status": "live"}).status_code == 200


def test_a_portal_user_cannot_own_a_service(slm, customer_user, api):
    message = refused(api(slm).post("services", {"name": "X", "owner": customer_user.pk}),
                      "owner")

    assert "cannot own a service" in message


def test_component_kind_must_be_one_of_its_choices(slm, api):
    message = refused(api(slm).post("components", {"name": "box", "kind": "toaster"}), "kind")

    assert "'toaster' is not one of application, server" in message
    assert not Component.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Acme", "tz": "Mars/Olympus"}, "tz"),
        ({"name": "Acme", "contact_email": "not-an-address"}, "contact_email"),
        ({"name": "Acme", "contacts": [424242]}, "contacts"),
        ({"name": ""}, "name"),
    ],
)
def test_it_names_the_bad_field_of_a_new_customer(slm, api, body, field):
    refused(api(slm).post("customers", body), field)

    assert not Customer.objects.exists()


def test_unknown_ids_in_a_dependency_name_their_field(web_shop, slm, api):
    me = api(slm)
    url = f"services/{web_shop.pk}/dependencies"

    refused(me.post(url, {"depends_on_component": 4242}), "depends_on_component")
    refused(me.post(url, {}), "depends_on_service")
    refused(me.post(url, {"depends_on_service": 1, "depends_on_component": 1}),
            "depends_on_service")
