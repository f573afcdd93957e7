"""Customers, teams, suppliers and components through the API, and who sees which."""

from accord.catalogue import services
from accord.catalogue.models import Customer, Supplier, Team


def test_a_customer_portal_user_sees_only_their_own_customer(acme, customer_user, slm, api):
    other = api(slm).post("customers", {"name": "Globex"}).data
    me = api(customer_user)

    listing = me.get("customers")

    assert [c["name"] for c in listing.data["items"]] == ["Acme"]
    assert me.get(f"customers/{acme.pk}").status_code == 200
    assert me.get(f"customers/{other['id']}").status_code == 404


def test_a_portal_user_may_not_change_even_their_own_customer(acme, customer_user, api):
    response = api(customer_user).patch(f"customers/{acme.pk}", {"description": "ours"})

    assert response.status_code == 403
    acme.refresh_from_db()
    assert acme.description == ""


def test_a_portal_user_sees_no_teams_components_or_audit_trail(
    acme, database, customer_user, slm, api
):
    api(slm).post("teams", {"name": "Service Desk"})
    me = api(customer_user)

    assert me.get("teams").data["count"] == 0
    assert me.get("components").data["count"] == 0
    assert me.get(f"components/{database.pk}").status_code == 404
    assert me.get(f"customers/{acme.pk}/history").status_code == 403


def test_a_supplier_portal_user_sees_only_their_supplier(db, slm, api):
    from accord.accounts.services import create_user

    vendor = create_user("vera", role="supplier")
    mine = services.create(Supplier, by=None, name="Hosting Ltd", contacts=[vendor])
    services.create(Supplier, by=None, name="Telco plc")
    me = api(vendor)

    assert [s["name"] for s in me.get("suppliers").data["items"]] == ["Hosting Ltd"]
    assert me.get("customers").data["count"] == 0
    assert me.get(f"suppliers/{mine.pk}").data["contacts"] == [vendor.pk]


def test_staff_see_every_party(acme, reader, slm, api):
    api(slm).post("suppliers", {"name": "Hosting Ltd"})
    me = api(reader)

    assert me.get("customers").data["count"] == 1
    assert me.get("suppliers").data["count"] == 1


def test_a_service_level_manager_manages_teams_with_members(slm, reader, analyst, api):
    me = api(slm)

    created = me.post("teams", {"name": "Network", "email": "net@example.com",
                                "members": [reader.pk]})
    assert created.status_code == 201
    pk = created.data["id"]
    changed = me.patch(f"teams/{pk}", {"members": [reader.pk, analyst.pk]})

    assert changed.data["members"] == sorted([reader.pk, analyst.pk])
    assert set(Team.objects.get(pk=pk).members.all()) == {reader, analyst}
    # The audit row shows the membership before and after.
    entry = me.get(f"teams/{pk}/history").data["items"][0]
    assert entry["changes"]["members"] == [[reader.pk], sorted([reader.pk, analyst.pk])]
    assert me.delete(f"teams/{pk}").status_code == 204


def test_components_belong_to_suppliers_and_filter_by_kind(slm, reader, api):
    me = api(slm)
    hosting = me.post("suppliers", {"name": "Hosting Ltd"}).data["id"]
    me.post("components", {"name": "vm1", "kind": "server", "supplier": hosting})
    me.post("components", {"name": "pg1", "kind": "database"})

    def names(query):
        return [c["name"] for c in api(reader).get(f"components?{query}").data["items"]]

    assert names("kind=database") == ["pg1"]
    assert names(f"supplier={hosting}") == ["vm1"]
    assert names("q=VM") == ["vm1"]


def test_an_analyst_and_an_owner_cannot_change_parties(acme, analyst, owner, api):
    for user in (analyst, owner):
        me = api(user)
        assert me.post("customers", {"name": "Initech"}).status_code == 403
        assert me.patch(f"customers/{acme.pk}", {"name": "Acme Ltd"}).status_code == 403
        assert me.delete(f"customers/{acme.pk}").status_code == 403
    assert Customer.objects.get().name == "Acme"


def test_customer_contacts_filter(acme, customer_user, reader, api):
    found = api(reader).get(f"customers?contact={customer_user.pk}").data

    assert [c["name"] for c in found["items"]] == ["Acme"]
    assert api(reader).get(f"customers?contact={reader.pk}").data["count"] == 0


def test_listing_customers_costs_the_same_queries_for_many_as_for_one(
    acme, reader, slm, api, django_assert_max_num_queries
):
    me = api(reader)
    with django_assert_max_num_queries(10) as one:
        me.get("customers")
    queries_for_one = len(one.captured_queries)
    for i in range(10):
        api(slm).post("customers", {"name": f"Customer {i}", "contacts": [reader.pk]})

    with django_assert_max_num_queries(queries_for_one):
        assert me.get("customers").data["count"] == 11
