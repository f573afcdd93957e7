"""Catalogue authoring in the app: a service level manager adds services and walks an SLR
from capture through evaluation to draft targets; service owners and readers cannot."""

import pytest

from accord.agreements.models import ServiceLevelRequirement
from accord.catalogue.models import Service
from tests.web.conftest import login


def test_an_slm_adds_a_service(client, slm, owner, office_hours):
    login(client, slm)
    response = client.post("/services/new", {
        "name": "Mobile App", "description": "", "owner": owner.pk, "criticality": "2",
        "status": "pipeline", "calendar": office_hours.pk})

    service = Service.objects.get(name="Mobile App")
    assert response.status_code == 302
    assert (service.owner, service.criticality, service.calendar) == (owner, 2, office_hours)


def test_a_duplicate_service_name_is_named_on_the_field(client, slm, web_shop):
    login(client, slm)
    response = client.post("/services/new", {"name": "web shop", "criticality": "3",
                                              "status": "live"})
    assert response.status_code == 422
    assert response.context["form"].errors["name"] == [
        "a service named 'web shop' already exists"]
    assert Service.objects.count() == 1


def test_a_service_owner_may_not_add_services(client, owner):
    login(client, owner)
    assert client.get("/services/new").status_code == 403


def slr_post(customer, **extra):
    data = {"title": "Faster checkout fixes", "customer": customer.pk, "service": "",
            "requested_by": "Ann Buyer", "text": "P1 in 2 hours",
            "t0_metric": "resolution", "t0_priority": "P1", "t0_hours": "2", "t0_minutes": "",
            "t0_objective_percent": "95", "t0_note": "checkout"}
    data.update(extra)
    return data


def test_an_slm_captures_evaluates_and_converts_an_slr(client, slm, globex, web_shop):
    login(client, slm)
    response = client.post("/slrs/new", slr_post(globex, service=web_shop.pk, t0_minutes="30"))
    slr = ServiceLevelRequirement.objects.get()
    assert response.status_code == 302
    page = client.get(f"/slrs/{slr.pk}/").content.decode()
    assert "<td>Resolution time</td><td>P1</td><td>2 h 30 min</td>" in page
    assert slr.requested_targets == [{"metric": "resolution", "priority": "P1",
                                      "duration_seconds": 9000,
                                      "objective_percent": "95", "note": "checkout"}]

    response = client.post(f"/slrs/{slr.pk}/evaluate", {"feasibility": "no", "notes": "",
                                                       "decision": "accept"})
    assert response.status_code == 422
    assert "cannot be accepted" in response.context["evaluate"].errors["decision"][0]
    client.post(f"/slrs/{slr.pk}/evaluate", {"feasibility": "yes", "notes": "fine",
                                            "decision": "accept"})
    slr.refresh_from_db()
    assert slr.status == "accepted"

    response = client.post(f"/slrs/{slr.pk}/convert", {"agreement": "", "name": "Globex SLA"})
    slr.refresh_from_db()
    assert slr.status == "converted"
    target = slr.version.targets.get()
    assert (target.priority, target.duration_seconds, target.service) == ("P1", 9000, web_shop)
    assert response["Location"].endswith(f"?version={slr.version.number}")
    assert slr.version.agreement.name == "Globex SLA"
    assert str(slr.version) in client.get(f"/slrs/{slr.pk}/").content.decode()


def test_a_bad_requested_target_is_named_on_its_row(client, slm, globex):
    login(client, slm)
    response = client.post("/slrs/new", slr_post(globex, t0_metric="availability",
                                                 t0_hours="", t0_objective_percent=""))
    assert response.status_code == 422
    assert "need a percentage" in response.context["form"].errors["t0_percentage"][0]
    assert not ServiceLevelRequirement.objects.exists()


@pytest.mark.parametrize("path", ["/slrs/", "/slrs/new", "/services/new"])
def test_the_pages_open(client, slm, path):
    login(client, slm)
    assert client.get(path).status_code == 200
