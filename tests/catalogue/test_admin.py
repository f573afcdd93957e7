"""The back office: edits go through the services (validated and audited) and the role
table decides who may change what."""

from accord.accounts.services import history
from accord.catalogue.models import Calendar, Dependency, Service

INLINE = {
    "dependencies-TOTAL_FORMS": "0", "dependencies-INITIAL_FORMS": "0",
    "dependencies-MIN_NUM_FORMS": "0", "dependencies-MAX_NUM_FORMS": "1000",
}


def service_form(**fields):
    data = {"name": "", "description": "", "owner": "", "criticality": "3",
            "status": "pipeline", "calendar": ""} | INLINE
    return data | fields


def test_an_admin_save_is_audited_with_who_and_what(slm, client):
    client.force_login(slm)

    response = client.post("/admin/catalogue/service/add/", service_form(name="Intranet"))

    assert response.status_code == 302
    service = Service.objects.get(name="Intranet")
    entry = history(service).get(action="create")
    assert entry.actor == "sam"
    assert entry.changes["name"] == [None, "Intranet"]


def test_an_admin_change_records_before_and_after(web_shop, slm, client):
    client.force_login(slm)

    client.post(f"/admin/catalogue/service/{web_shop.pk}/change/",
                service_form(name="Web Shop", owner=str(web_shop.owner_id), criticality="2",
                             status="live"))

    web_shop.refresh_from_db()
    assert web_shop.criticality == 2
    entry = history(web_shop).first()
    assert (entry.action, entry.changes) == ("update", {"criticality": [1, 2]})


def test_the_admin_shows_the_services_rules_as_form_errors(web_shop, slm, client):
    client.force_login(slm)

    response = client.post(f"/admin/catalogue/service/{web_shop.pk}/change/",
                           service_form(name="Web Shop", status="pipeline"))

    assert response.status_code == 200
    assert "status cannot move from live to pipeline" in response.content.decode()
    web_shop.refresh_from_db()
    assert web_shop.status == "live"


def test_only_administrators_change_calendars_in_the_admin(office_hours, slm, admin_user, client):
    url = f"/admin/catalogue/calendar/{office_hours.pk}/change/"
    client.force_login(slm)
    assert client.get("/admin/catalogue/calendar/add/").status_code == 403
    # A service level manager may look but not save.
    client.post(url, {"name": "Renamed", "tz": "UTC", "hours": "{}"})
    office_hours.refresh_from_db()
    assert office_hours.name == "London office"

    client.force_login(admin_user)
    response = client.post(url, {
        "name": "London office", "description": "", "tz": "Europe/London",
        "hours": '{"mon": [["08:00", "18:00"]]}', "holidays": "[]", "country": "GB",
        "subdivision": "", "exceptions": "{}", "closures": "[]",
    })

    assert response.status_code == 302
    office_hours.refresh_from_db()
    assert (office_hours.country, office_hours.version) == ("GB", 2)


def test_the_admin_refuses_to_delete_a_live_service(web_shop, slm, client):
    client.force_login(slm)

    page = client.get(f"/admin/catalogue/service/{web_shop.pk}/delete/")
    client.post(f"/admin/catalogue/service/{web_shop.pk}/delete/", {"post": "yes"})

    assert "retire it before deleting it" in page.content.decode()
    assert Service.objects.filter(pk=web_shop.pk).exists()


def test_the_admin_refuses_a_cycle(db, slm, client):
    from accord.catalogue import dependencies, services

    shop = services.create(Service, by=None, name="Web Shop")
    orders = services.create(Service, by=None, name="Order Processing")
    dependencies.add_dependency(shop, depends_on=orders, by=slm)
    client.force_login(slm)

    response = client.post("/admin/catalogue/dependency/add/", {
        "service": str(orders.pk), "depends_on_service": str(shop.pk),
        "depends_on_component": "", "group": "",
    })

    assert response.status_code == 200
    assert "Order Processing → Web Shop → Order Processing" in response.content.decode()
    assert Dependency.objects.count() == 1


def test_non_staff_roles_do_not_reach_the_admin(reader, owner, client):
    for user in (reader, owner):
        client.force_login(user)
        response = client.get("/admin/catalogue/service/")
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Calendar.objects.exists()
