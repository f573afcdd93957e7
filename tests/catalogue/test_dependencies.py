"""The dependency graph: cycles are refused and leave nothing written; redundancy groups
keep min_up within their members; the tree is what the availability engine reads."""

import pytest

from accord.accounts.models import AuditEntry
from accord.catalogue import dependencies, services
from accord.catalogue.dependencies import add_dependency, create_group, dependency_tree
from accord.catalogue.models import Component, Dependency, RedundancyGroup, Service
from accord.clock.availability_graph import Leaf, Redundant, Series, modelled_availability
from accord.lib.errors import DomainError, InvalidInput


def service(name, status="live"):
    return services.create(Service, by=None, name=name, status=status)


def component(name, kind="server"):
    return services.create(Component, by=None, name=name, kind=kind)


def graph_rows():
    return (Dependency.objects.count(), RedundancyGroup.objects.count(), AuditEntry.objects.count())


def test_it_refuses_a_direct_cycle_and_names_it(db, slm, api):
    shop, orders = service("Web Shop"), service("Order Processing")
    add_dependency(shop, depends_on=orders, by=slm)
    me = api(slm)
    before = graph_rows()

    response = me.post(f"services/{orders.pk}/dependencies",
                             {"depends_on_service": shop.pk})

    assert response.status_code == 422
    detail = response.data["detail"][0]
    assert detail["msg"] == "dependency cycle: Order Processing → Web Shop → Order Processing"
    assert detail["loc"] == ["body", "depends_on_service"]
    assert graph_rows() == before


def test_it_refuses_an_indirect_cycle_with_the_whole_path(db, slm):
    shop, orders, stock = service("Web Shop"), service("Order Processing"), service("Stock")
    add_dependency(shop, depends_on=orders, by=slm)
    add_dependency(orders, depends_on=stock, by=slm)
    before = graph_rows()

    with pytest.raises(InvalidInput) as refused:
        add_dependency(stock, depends_on=shop, by=slm)

    assert str(refused.value) == (
        "dependency cycle: Stock → Web Shop → Order Processing → Stock"
    )
    assert graph_rows() == before


def test_it_refuses_a_service_depending_on_itself(db, slm):
    shop = service("Web Shop")

    with pytest.raises(InvalidInput, match="dependency cycle: Web Shop → Web Shop"):
        add_dependency(shop, depends_on=shop, by=slm)

    assert Dependency.objects.count() == 0


def test_it_refuses_a_cycle_through_a_redundancy_group(db, slm):
    shop, pay_a, pay_b = service("Web Shop"), service("Payments A"), service("Payments B")
    create_group(shop, name="Payments", members=[pay_a, pay_b], min_up=1, by=slm)
    before = graph_rows()

    # Payments B → Web Shop would close Web Shop → (group) Payments B → Web Shop.
    with pytest.raises(InvalidInput, match="Payments B → Web Shop → Payments B"):
        add_dependency(pay_b, depends_on=shop, by=slm)
    # A new group whose member leads back is refused as a whole, its group row included.
    with pytest.raises(InvalidInput, match="Payments A → Web Shop → Payments A"):
        create_group(pay_a, name="Front", members=[component("lb1"), shop], by=slm)

    assert graph_rows()[:2] == before[:2]


def test_a_group_needs_no_more_members_up_than_it_has(db, slm, api):
    shop = service("Web Shop")
    web1, web2 = component("web1"), component("web2")

    response = api(slm).post(f"services/{shop.pk}/groups", {
        "name": "Web farm", "min_up": 3,
        "members": [{"component": web1.pk}, {"component": web2.pk}],
    })

    assert response.status_code == 422
    assert response.data["detail"][0]["loc"] == ["body", "min_up"]
    assert RedundancyGroup.objects.count() == 0 and Dependency.objects.count() == 0


def test_a_member_cannot_be_removed_below_min_up(db, slm, api):
    shop = service("Web Shop")
    farm = create_group(shop, name="Web farm", min_up=2,
                        members=[component("web1"), component("web2")], by=slm)
    member = farm.members.first()

    refused = api(slm).delete(f"dependencies/{member.pk}")
    assert refused.status_code == 409
    assert Dependency.objects.filter(pk=member.pk).exists()

    # Lowering min_up first makes room.
    assert api(slm).patch(f"groups/{farm.pk}", {"min_up": 1}).status_code == 200
    assert api(slm).delete(f"dependencies/{member.pk}").status_code == 204
    assert api(slm).patch(f"groups/{farm.pk}", {"min_up": 2}).status_code == 422


def test_it_refuses_the_same_dependency_twice_and_retired_targets(db, slm):
    shop, db1, old = service("Web Shop"), component("db1"), service("Old CRM", "pipeline")
    add_dependency(shop, depends_on=db1, by=slm)
    services.update(old, by=slm, status="retired")

    with pytest.raises(InvalidInput, match="already depends on db1"):
        add_dependency(shop, depends_on=db1, by=slm)
    with pytest.raises(InvalidInput, match="Old CRM is retired"):
        add_dependency(shop, depends_on=old, by=slm)


def test_the_tree_is_a_series_of_dependencies_and_groups(db, slm):
    shop, orders = service("Web Shop"), service("Order Processing")
    db1, web1, web2, web3 = (component(n) for n in ("db1", "web1", "web2", "web3"))
    add_dependency(shop, depends_on=orders, by=slm)
    add_dependency(orders, depends_on=db1, by=slm)
    create_group(shop, name="Web farm", min_up=2, members=[web1, web2, web3], by=slm)

    tree = dependency_tree(shop)

    def c(x):
        return Leaf(f"component:{x.pk}")

    assert tree == Series((
        Series((c(db1),)),
        Redundant((c(web1), c(web2), c(web3)), k=2),
    ))
    # The engine can use it as it is: 2-of-3 web servers at 0.9, the database at 0.99.
    ups = {f"component:{x.pk}": 0.9 for x in (web1, web2, web3)} | {f"component:{db1.pk}": 0.99}
    assert modelled_availability(tree, ups) == pytest.approx(0.99 * 0.972)


def test_a_service_without_dependencies_is_a_leaf_of_its_own(db):
    shop = service("Web Shop")

    assert dependency_tree(shop) == Leaf(f"service:{shop.pk}")


def test_the_api_tree_names_every_node(db, slm, reader, api):
    shop, orders, db1 = service("Web Shop"), service("Order Processing"), component("db1")
    link = add_dependency(shop, depends_on=orders, by=slm)
    add_dependency(orders, depends_on=db1, by=slm)
    farm = create_group(shop, name="Web farm", members=[component("web1")], by=slm)

    response = api(reader).get(f"services/{shop.pk}/dependencies")

    assert response.status_code == 200
    tree = response.data["tree"]
    assert tree["name"] == "Web Shop"
    first, second = tree["depends_on"]
    assert (first["type"], first["name"], first["dependency_id"]) == (
        "service", "Order Processing", link.pk
    )
    assert [n["name"] for n in first["depends_on"]] == ["db1"]
    assert (second["type"], second["group_id"], second["min_up"]) == ("redundant", farm.pk, 1)
    assert [m["name"] for m in second["members"]] == ["web1"]


def test_dependency_changes_are_audited_on_the_service(db, slm, api):
    shop, db1 = service("Web Shop"), component("db1")

    added = api(slm).post(f"services/{shop.pk}/dependencies", {"depends_on_component": db1.pk})
    assert added.status_code == 201
    api(slm).delete(f"dependencies/{added.data['id']}")

    entries = api(slm).get(f"services/{shop.pk}/history").data["items"]
    assert [e["message"] for e in entries[:2]] == [
        "removed dependency on db1", "added dependency on db1",
    ]
    assert entries[1]["changes"]["dependencies"] == [[], ["component db1"]]
    assert entries[1]["actor"] == "sam"


def test_an_owner_may_change_dependencies_of_their_own_service_only(
    web_shop, payroll, database, owner, api
):
    me = api(owner)

    mine = me.post(f"services/{web_shop.pk}/dependencies", {"depends_on_component": database.pk})
    theirs = me.post(f"services/{payroll.pk}/dependencies",
                     {"depends_on_component": database.pk})

    assert (mine.status_code, theirs.status_code) == (201, 403)


def test_a_component_in_use_cannot_be_deleted_nor_a_needed_service_retired(db, slm, api):
    shop, orders, db1 = service("Web Shop"), service("Order Processing"), component("db1")
    add_dependency(shop, depends_on=orders, by=slm)
    add_dependency(orders, depends_on=db1, by=slm)

    gone = api(slm).delete(f"components/{db1.pk}")
    retired = api(slm).patch(f"services/{orders.pk}", {"status": "retired"})

    assert gone.status_code == 409 and "Order Processing" in gone.data["detail"][0]["msg"]
    assert retired.status_code == 422 and "Web Shop" in retired.data["detail"][0]["msg"]
    assert Component.objects.filter(pk=db1.pk).exists()


def test_a_group_of_another_service_is_refused(db, slm):
    shop, other = service("Web Shop"), service("Payroll")
    farm = create_group(other, name="Farm", members=[component("web1")], by=slm)

    with pytest.raises(InvalidInput, match="belongs to another service"):
        add_dependency(shop, depends_on=component("web2"), group=farm, by=slm)


def test_a_cycle_planted_behind_the_services_back_is_reported_not_looped(db, slm):
    shop, orders = service("Web Shop"), service("Order Processing")
    add_dependency(shop, depends_on=orders, by=slm)
    Dependency.objects.create(service=orders, depends_on_service=shop)

    with pytest.raises(DomainError, match="dependency cycle"):
        dependencies.dependency_tree(shop)
