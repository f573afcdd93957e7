"""Who may do what through /api/v1 (reader, analyst, owner read; the SLM writes; a customer
portal user sees only its own agreements and may only approve them as counterparty)."""

import pytest

from accord.accounts.services import create_user
from accord.agreements import services
from accord.agreements.models import Agreement
from accord.catalogue.models import Customer, Supplier
from tests.conftest import NOW

from .conftest import add_target


@pytest.fixture
def globex_sla(slm, db):
    globex = Customer.objects.create(name="Globex")
    return services.create_agreement(by=slm, now=NOW, name="Globex SLA", kind="sla",
                                     structure="customer_based", customer=globex)


NEW = {"name": "New SLA", "kind": "sla", "structure": "corporate"}


def test_it_answers_401_without_credentials(draft_sla, api):
    assert api(None).get("agreements").status_code == 401


@pytest.mark.parametrize("persona", ["reader", "analyst", "owner"])
def test_readers_analysts_and_owners_read_but_cannot_write(persona, request, draft_sla, api):
    client = api(request.getfixturevalue(persona))
    base = f"agreements/{draft_sla.pk}"

    assert client.get("agreements").data["count"] == 1
    assert client.get(base).data["reference"] == draft_sla.reference
    assert client.get(f"{base}/versions/1").status_code == 200
    assert client.get(f"{base}/history").status_code == 200
    refused = [
        client.post("agreements", NEW),
        client.patch(base, {"name": "x"}),
        client.post(f"{base}/transition", {"to": "in_negotiation"}),
        client.post(f"{base}/versions/1/targets", {"metric": "response",
                                                   "duration_seconds": 60}),
        client.post(f"{base}/versions/1/approve", {"party": "provider"}),
        client.post("slrs", {"title": "x", "customer": draft_sla.customer_id}),
        client.put("priority-matrix", {"agreement": draft_sla.pk, "cells": []}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert Agreement.objects.count() == 1
    assert Agreement.objects.get().name == "Acme Web Shop"


def test_the_service_level_manager_writes(draft_sla, slm, api):
    client = api(slm)
    base = f"agreements/{draft_sla.pk}"

    assert client.post("agreements", NEW).status_code == 201
    assert client.patch(base, {"name": "Renamed"}).data["name"] == "Renamed"
    assert client.post(f"{base}/transition", {"to": "in_negotiation"}).data["status"] == (
        "in_negotiation"
    )
    approved = client.post(f"{base}/versions/1/approve", {"party": "provider"})
    assert approved.status_code == 200 and approved.data["awaiting"] == ["counterparty"]


def test_a_read_only_token_cannot_write_even_for_the_slm(draft_sla, slm, api):
    client = api(slm, scope="read")
    assert client.patch(f"agreements/{draft_sla.pk}", {"name": "x"}).status_code == 403
    response = client.post(f"agreements/{draft_sla.pk}/versions/1/approve", {"party": "provider"})
    assert response.status_code == 403


def test_a_customer_sees_only_its_own_agreements(draft_sla, globex_sla, customer_user, api):
    client = api(customer_user)

    listing = client.get("agreements")

    assert [a["name"] for a in listing.data["items"]] == ["Acme Web Shop"]
    assert client.get(f"agreements/{globex_sla.pk}").status_code == 404
    assert client.get(f"agreements/{globex_sla.pk}/versions/1").status_code == 404
    assert client.get(f"agreements/{draft_sla.pk}/versions/1").status_code == 200
    assert client.get(f"agreements/{draft_sla.pk}/effective-targets").status_code == 200
    # The provider's audit trail (staff names, internal reasons) is not for the portal.
    assert client.get(f"agreements/{draft_sla.pk}/history").status_code == 403
    assert client.get(f"agreements/{globex_sla.pk}/history").status_code == 404


def test_a_customer_approves_its_own_agreement_as_counterparty_and_nothing_else(
    draft_sla, globex_sla, customer_user, slm, api
):
    client = api(customer_user)
    base = f"agreements/{draft_sla.pk}"

    assert client.patch(base, {"name": "mine"}).status_code == 403
    assert client.post(f"{base}/transition", {"to": "terminated", "reason": "x"}).status_code == (
        403
    )
    assert client.post(f"{base}/versions/1/approve", {"party": "provider"}).status_code == 403
    assert client.post(f"agreements/{globex_sla.pk}/versions/1/approve",
                       {"party": "counterparty"}).status_code == 404
    assert api(customer_user, scope="read").post(
        f"{base}/versions/1/approve", {"party": "counterparty"}
    ).status_code == 403

    signed = client.post(f"{base}/versions/1/approve",
                         {"party": "counterparty", "comment": "Agreed for Acme"})

    assert signed.status_code == 200
    [approval] = signed.data["approvals"]
    assert (approval["party"], approval["signatory"], approval["on_behalf"]) == (
        "counterparty", "carl", False
    )
    # With the provider's signature as well, the version is agreed.
    api(slm).post(f"{base}/versions/1/approve", {"party": "provider"})
    assert client.get(f"{base}/versions/1").data["status"] == "agreed"
    assert client.get(base).data["status"] == "agreed"


def test_a_supplier_sees_only_its_own_underpinning_contracts(draft_sla, slm, api):
    acme_cloud = Supplier.objects.create(name="Acme Cloud")
    other = Supplier.objects.create(name="Other Cloud")
    supplier_user = create_user("sue", role="supplier")
    acme_cloud.contacts.add(supplier_user)
    uc = services.create_agreement(by=slm, now=NOW, name="Hosting UC", kind="uc",
                                   supplier=acme_cloud, underpins=[draft_sla])
    add_target(uc.latest_version(), slm, metric="availability", percentage=99.95)
    services.create_agreement(by=slm, now=NOW, name="Other UC", kind="uc", supplier=other)

    listing = api(supplier_user).get("agreements")

    assert [a["name"] for a in listing.data["items"]] == ["Hosting UC"]
    assert listing.data["items"][0]["underpins"] == [draft_sla.pk]
    assert api(supplier_user).get("slrs").data["count"] == 0


def test_slrs_are_visible_to_their_customer_only(draft_sla, globex_sla, slm, customer_user,
                                                 api):
    for customer in (draft_sla.customer_id, globex_sla.customer_id):
        assert api(slm).post("slrs", {"title": "ask", "customer": customer}).status_code == 201

    mine = api(customer_user).get("slrs")

    assert [s["customer"] for s in mine.data["items"]] == [draft_sla.customer_id]
    assert api(customer_user).post("slrs", {"title": "x", "customer": draft_sla.customer_id}
                                   ).status_code == 403
