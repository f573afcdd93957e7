"""Change impact through a two-level dependency graph with redundancy:

    Shop (service) ── needs ──> Platform (service) ── needs ──> LB (component)
                                                  └── group "databases", 1 of 2 up: DB1, DB2
    Blog (service) ── needs ──> DB1

Acme's SLA carries Shop, availability 99.9 % a month on 24x7 UTC. March 2025 (UTC) has
31 × 24 × 60 = 44,640 minutes, less a 4-hour maintenance window on Shop: 44,400 agreed
minutes, so 44.40 minutes of downtime are allowed; LB was down 10 minutes: 34.40 left.
"""

from datetime import UTC, datetime

import pytest

from accord.agreements import services
from accord.catalogue import dependencies
from accord.catalogue.models import Component, Customer, Service
from accord.escalation.models import Channel, Notification
from accord.measurement.models import MaintenanceWindow, Outage
from accord.planning.impact import impact
from accord.planning.maintenance import notify_maintenance
from tests.conftest import NOW
from tests.reporting.conftest import add_target, sign

pytestmark = pytest.mark.django_db
MARCH_20 = datetime(2025, 3, 20, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(name="graph")
def graph_fixture(slm):
    shop = Service.objects.create(name="Shop", status="live")
    platform = Service.objects.create(name="Platform", status="live")
    blog = Service.objects.create(name="Blog", status="live")
    lb = Component.objects.create(name="LB", kind="network")
    db1 = Component.objects.create(name="DB1", kind="database")
    db2 = Component.objects.create(name="DB2", kind="database")
    dependencies.add_dependency(shop, depends_on=platform, by=slm)
    dependencies.add_dependency(platform, depends_on=lb, by=slm)
    dependencies.create_group(platform, name="databases", members=[db1, db2], min_up=1, by=slm)
    dependencies.add_dependency(blog, depends_on=db1, by=slm)
    acme = Customer.objects.create(name="Acme", contact_email="ops@acme.example")
    sla = services.create_agreement(by=slm, now=NOW, name="Acme Shop", kind="sla",
                                    structure="customer_based", customer=acme,
                                    services=[shop], effective_from=at("2025-01-01T00:00"))
    target = add_target(sla, slm, metric="availability", percentage="99.9")
    sign(sla.latest_version(), slm)
    services.transition(sla, "active", by=slm, now=NOW)
    acme.contacts.add(slm)  # after signing: a contact would sign for the customer
    Outage.objects.create(component=lb, start=at("2025-03-05T10:00"),
                          end=at("2025-03-05T10:10"))
    window = MaintenanceWindow.objects.create(service=shop, start=at("2025-03-22T01:00"),
                                              end=at("2025-03-22T05:00"))
    return {"shop": shop, "platform": platform, "blog": blog, "lb": lb, "db1": db1,
            "sla": sla, "target": target, "acme": acme, "window": window}


def test_a_component_in_series_takes_both_levels_down(graph):
    found = impact(component=graph["lb"].pk, now=MARCH_20)

    assert [(s["name"], s["down"]) for s in found["services"]] == [("Platform", True),
                                                                   ("Shop", True)]
    (agreement,) = found["agreements"]
    assert agreement["agreement"] == graph["sla"].reference
    (target,) = agreement["targets"]
    assert target["target"] == graph["target"].pk
    assert target["budget_minutes_left"] == pytest.approx(34.40)
    assert target["downtime_minutes"] == pytest.approx(10.0)
    assert found["customers"] == [{"id": graph["acme"].pk, "name": "Acme"}]
    assert found["inside_maintenance"] is False


def test_a_redundant_member_takes_down_only_what_needs_it_alone(graph):
    found = impact(component=graph["db1"].pk, now=MARCH_20)

    assert [(s["name"], s["down"]) for s in found["services"]] == [
        ("Blog", True), ("Platform", False), ("Shop", False)]
    assert found["agreements"] == [] and found["customers"] == []


def test_a_window_inside_agreed_maintenance(graph):
    shop = graph["shop"].pk
    inside = impact(service=shop, start=at("2025-03-22T02:00"), end=at("2025-03-22T03:00"),
                    now=MARCH_20)
    assert inside["inside_maintenance"] is True
    assert [s["name"] for s in inside["services"]] == ["Shop"]
    outside = impact(service=shop, start=at("2025-03-22T04:00"), end=at("2025-03-22T06:00"),
                     now=MARCH_20)
    assert outside["inside_maintenance"] is False
    # Platform has no agreed maintenance: work on LB in Shop's window is not inside it.
    assert impact(component=graph["lb"].pk, start=at("2025-03-22T02:00"),
                  end=at("2025-03-22T03:00"), now=MARCH_20)["inside_maintenance"] is False


def test_the_api_answers_and_names_bad_fields(graph, reader, api):
    response = api(reader).get(f"impact?component={graph['lb'].pk}"
                               "&from=2025-03-22T02:00:00Z&to=2025-03-22T03:00:00Z")
    assert response.status_code == 200, response.data
    assert set(response.data) >= {"services", "agreements", "customers", "inside_maintenance"}
    assert response.data["agreements"][0]["targets"][0]["budget_minutes_left"] >= 0
    assert api(reader).get("impact").status_code == 422
    both = api(reader).get(f"impact?component=1&service={graph['shop'].pk}")
    assert both.status_code == 422
    missing = api(reader).get("impact?component=999999")
    assert missing.status_code == 422 and "component" in str(missing.data)
    half = api(reader).get(f"impact?service={graph['shop'].pk}&from=2025-03-22T02:00:00Z")
    assert half.status_code == 422 and "to" in str(half.data)


def test_planned_maintenance_notifies_each_contact_once(graph, slm):
    Channel.objects.create(name="mail", kind="email", config={}, created_at=NOW)
    window = graph["window"]

    first = notify_maintenance(window, by=slm, now=MARCH_20)
    again = notify_maintenance(window, by=slm, now=MARCH_20)

    recipients = sorted(n["recipient"] for n in first["notifications"])
    assert recipients == sorted(["ops@acme.example", slm.email])
    assert first["notifications"] == again["notifications"]
    assert Notification.objects.count() == 2
    keys = set(Notification.objects.values_list("idempotency_key", flat=True))
    assert f"maintenance:{window.pk}:customer:{graph['acme'].pk}" in keys


def test_the_pages_show_the_impact_and_save_a_window_with_notices(graph, slm, client):
    Channel.objects.create(name="mail", kind="email", config={}, created_at=NOW)
    client.force_login(slm)
    shop = graph["shop"]
    assert f"/impact/?service={shop.pk}" in client.get(f"/services/{shop.pk}/").content.decode()
    assert f"/impact/?component={graph['lb'].pk}" in client.get("/components/").content.decode()

    page = client.get(f"/impact/?component={graph['lb'].pk}")
    html = page.content.decode()
    assert page.status_code == 200 and graph["sla"].reference in html and "Platform" in html
    before = MaintenanceWindow.objects.count()
    planned = client.get(f"/impact/?service={shop.pk}&from=2025-03-29T01:00&to=2025-03-29T02:00")
    assert "Save maintenance window" in planned.content.decode()
    assert MaintenanceWindow.objects.count() == before  # shown, not saved

    client.post("/impact/maintenance", {"service": shop.pk, "from": "2025-03-29T01:00",
                                        "to": "2025-03-29T02:00", "notify": "1"})
    window = MaintenanceWindow.objects.latest("pk")
    assert MaintenanceWindow.objects.count() == before + 1
    assert window.start == at("2025-03-29T01:00")
    assert Notification.objects.filter(
        idempotency_key__startswith=f"maintenance:{window.pk}:").count() == 2
    bad = client.get(f"/impact/?service={shop.pk}&from=2025-03-29T03:00&to=2025-03-29T02:00")
    assert bad.status_code == 422 and "to:" in bad.content.decode()
