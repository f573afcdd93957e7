"""Services through the REST API, by role: who may read, create, change and delete."""

from accord.accounts.services import history
from accord.catalogue.models import Service


def test_every_staff_role_can_list_and_read_services(web_shop, payroll, reader, api):
    listing = api(reader).get("services")

    assert listing.status_code == 200
    assert listing.data["count"] == 2
    assert [s["name"] for s in listing.data["items"]] == ["Payroll", "Web Shop"]
    detail = api(reader).get(f"services/{web_shop.pk}")
    assert detail.status_code == 200
    assert detail.data["owner"] == web_shop.owner_id
    assert detail.data["criticality"] == 1 and detail.data["status"] == "live"


def test_a_reader_cannot_create_change_or_delete(web_shop, reader, api):
    me = api(reader)

    assert me.post("services", {"name": "Intranet"}).status_code == 403
    assert me.patch(f"services/{web_shop.pk}", {"criticality": 4}).status_code == 403
    assert me.delete(f"services/{web_shop.pk}").status_code == 403
    # Nothing changed.
    web_shop.refresh_from_db()
    assert web_shop.criticality == 1
    assert not Service.objects.filter(name="Intranet").exists()


def test_it_answers_401_without_credentials(web_shop, api):
    assert api(None).get("services").status_code == 401


def test_a_service_level_manager_creates_updates_and_deletes(slm, owner, api):
    me = api(slm)

    created = me.post("services", {"name": "Intranet", "owner": owner.pk, "criticality": 3})
    assert created.status_code == 201
    pk = created.data["id"]
    assert created.data["status"] == "pipeline"

    changed = me.patch(f"services/{pk}", {"description": "Staff pages", "criticality": 2})
    assert changed.status_code == 200
    assert changed.data["description"] == "Staff pages" and changed.data["criticality"] == 2

    assert me.delete(f"services/{pk}").status_code == 204
    assert me.get(f"services/{pk}").status_code == 404


def test_an_owner_may_update_their_own_service(web_shop, owner, api):
    response = api(owner).patch(f"services/{web_shop.pk}", {"description": "Sells things"})

    assert response.status_code == 200
    web_shop.refresh_from_db()
    assert web_shop.description == "Sells things"


def test_an_owner_may_not_update_someone_elses_service(payroll, owner, api):
    response = api(owner).patch(f"services/{payroll.pk}", {"description": "mine now"})

    assert response.status_code == 403
    payroll.refresh_from_db()
    assert payroll.description == ""


def test_an_owner_may_neither_create_nor_delete_services(web_shop, owner, api):
    me = api(owner)

    assert me.post("services", {"name": "Shadow IT"}).status_code == 403
    assert me.delete(f"services/{web_shop.pk}").status_code == 403
    assert Service.objects.filter(pk=web_shop.pk).exists()


def test_an_owner_may_not_hand_their_service_to_someone_else(web_shop, owner, reader, api):
    response = api(owner).patch(f"services/{web_shop.pk}", {"owner": reader.pk})

    assert response.status_code == 403
    web_shop.refresh_from_db()
    assert web_shop.owner == owner


def test_a_read_only_token_cannot_write_even_for_an_owner(web_shop, owner, api):
    response = api(owner, scope="read").patch(f"services/{web_shop.pk}", {"description": "x"})

    assert response.status_code == 403


def test_portal_users_see_no_services_through_the_catalogue(web_shop, customer_user, api):
    me = api(customer_user)

    assert me.get("services").data == {"items": [], "count": 0}
    assert me.get(f"services/{web_shop.pk}").status_code == 404
    assert me.patch(f"services/{web_shop.pk}", {"description": "x"}).status_code == 404


def test_it_filters_services_by_status_criticality_owner_and_name(
    web_shop, payroll, owner, slm, reader, api
):
    api(slm).post("services", {"name": "Web Search", "criticality": 4})
    me = api(reader)

    def names(query):
        response = me.get(f"services?{query}")
        assert response.status_code == 200, response.data
        return [s["name"] for s in response.data["items"]]

    assert names("status=pipeline") == ["Web Search"]
    assert names("criticality=2") == ["Payroll"]
    assert names(f"owner={owner.pk}") == ["Web Shop"]
    assert names("q=web") == ["Web Search", "Web Shop"]
    assert names("q=web&status=live") == ["Web Shop"]
    assert me.get("services?status=sleeping").status_code == 422


def test_lists_are_paginated(slm, reader, api):
    for i in range(5):
        api(slm).post("services", {"name": f"Service {i}"})

    page = api(reader).get("services?limit=2&offset=2")

    assert page.data["count"] == 5
    assert [s["name"] for s in page.data["items"]] == ["Service 2", "Service 3"]


def test_a_live_service_must_be_retired_before_it_is_deleted(web_shop, slm, api):
    me = api(slm)

    refused = me.delete(f"services/{web_shop.pk}")
    assert refused.status_code == 409
    assert "retire" in refused.data["detail"][0]["msg"]

    assert me.patch(f"services/{web_shop.pk}", {"status": "retired"}).status_code == 200
    web_shop_row = Service.objects.get(pk=web_shop.pk)
    assert me.delete(f"services/{web_shop.pk}").status_code == 204
    # The deletion itself is on record.
    assert history(web_shop_row).filter(action="delete").count() == 1
