"""Recording the counterparty's signature on its behalf (issue 14, finding 2): it names a
contact of that customer, team or supplier by id and says where the signed copy is, and the
two sides are always two people, however their names are spelled."""

import pytest

from accord.accounts.models import AuditEntry
from accord.accounts.services import create_user
from accord.agreements import services, versions
from accord.agreements.models import Approval
from accord.catalogue.models import Customer
from accord.lib.errors import DomainError, InvalidInput
from tests.conftest import NOW

from .conftest import JAN_1, add_target

EVIDENCE = "Paper copy in the contracts file, ref. 2025-17"


@pytest.fixture
def sarah(db):
    return create_user("sarah", role="service_level_manager", first_name="Sarah",
                       last_name="Levels")


@pytest.fixture
def corporate(slm):
    agreement = services.create_agreement(
        by=slm, now=NOW, name="Corporate", kind="sla", structure="corporate",
        effective_from=JAN_1, text="For the whole business")
    add_target(agreement.latest_version(), slm)
    return agreement


def test_a_free_text_name_no_longer_signs_for_the_counterparty(draft_sla, slm, api):
    base = f"agreements/{draft_sla.pk}/versions/1/approve"
    api(slm).post(base, {"party": "provider"})

    response = api(slm).post(base, {"party": "counterparty", "signatory": "sam "})

    assert response.status_code == 422
    assert not draft_sla.latest_version().approvals.filter(party="counterparty").exists()


def test_on_behalf_needs_a_contact_of_the_counterparty_and_evidence(
        draft_sla, slm, customer_user, api):
    base = f"agreements/{draft_sla.pk}/versions/1/approve"
    outsider = create_user("gina", role="customer")
    Customer.objects.create(name="Globex").contacts.add(outsider)
    sam = api(slm)
    sam.post(base, {"party": "provider"})

    cases = [
        ({"on_behalf_of_contact": slm.pk, "evidence": EVIDENCE}, "on_behalf_of_contact"),
        ({"on_behalf_of_contact": outsider.pk, "evidence": EVIDENCE}, "on_behalf_of_contact"),
        ({"on_behalf_of_contact": 999999, "evidence": EVIDENCE}, "on_behalf_of_contact"),
        ({"on_behalf_of_contact": customer_user.pk}, "evidence"),
        ({"on_behalf_of_contact": customer_user.pk, "evidence": "   "}, "evidence"),
        ({"on_behalf_of_contact": True, "evidence": EVIDENCE}, "on_behalf_of_contact"),
    ]
    for extra, field in cases:
        response = sam.post(base, {"party": "counterparty", **extra})
        assert response.status_code == 422, (extra, response.data)
        assert response.data["detail"][0]["loc"][-1] == field, (extra, response.data)
    assert not Approval.objects.filter(party="counterparty").exists()

    signed = sam.post(base, {"party": "counterparty", "on_behalf_of_contact": customer_user.pk,
                             "evidence": EVIDENCE})

    assert signed.status_code == 200 and signed.data["status"] == "agreed"
    approval = next(a for a in signed.data["approvals"] if a["party"] == "counterparty")
    assert (approval["signatory"], approval["signatory_user"], approval["recorded_by"],
            approval["on_behalf"], approval["evidence"]) == (
        "carl", customer_user.pk, "sam", True, EVIDENCE)


def test_the_provider_cannot_be_its_own_counterparty_contact(draft_sla, sarah, acme):
    # Sarah signs for the provider and, as it happens, is also one of Acme's contacts.
    acme.contacts.add(sarah)
    version = draft_sla.latest_version()
    versions.approve(version, party="provider", by=sarah, now=NOW)

    with pytest.raises(DomainError, match="already signed for the other party"):
        versions.approve(version, party="counterparty", by=sarah, now=NOW,
                         on_behalf_of_contact=sarah.pk, evidence=EVIDENCE)
    version.refresh_from_db()
    assert version.frozen_at is None


def test_name_variants_of_an_earlier_signatory_are_the_same_person(draft_sla, slm, sarah,
                                                                   acme):
    # An approval recorded before signatories were people: only the name is known.
    version = draft_sla.latest_version()
    versions.approve(version, party="provider", by=slm, now=NOW)
    Approval.objects.filter(party="provider").update(signatory="sarah levels ",
                                                     signatory_user=None)
    acme.contacts.add(sarah)

    with pytest.raises(DomainError, match="already signed for the other party"):
        versions.approve(version, party="counterparty", by=slm, now=NOW,
                         on_behalf_of_contact=sarah, evidence=EVIDENCE)


def test_an_internal_counterparty_is_signed_by_another_user(corporate, slm, sarah, reader,
                                                            customer_user):
    version = corporate.latest_version()
    versions.approve(version, party="provider", by=sarah, now=NOW)

    with pytest.raises(DomainError, match="already signed for the other party"):
        versions.approve(version, party="counterparty", by=slm, now=NOW,
                         on_behalf_of_contact=sarah, evidence=EVIDENCE)
    with pytest.raises(InvalidInput) as err:  # a portal user does not sign for the business
        versions.approve(version, party="counterparty", by=slm, now=NOW,
                         on_behalf_of_contact=customer_user, evidence=EVIDENCE)
    assert err.value.field == "on_behalf_of_contact"

    versions.approve(version, party="counterparty", by=slm, now=NOW,
                     on_behalf_of_contact=reader, evidence=EVIDENCE)

    version.refresh_from_db()
    assert version.is_frozen
    signers = {(a.party, a.signatory_user_id) for a in version.approvals.all()}
    assert signers == {("provider", sarah.pk), ("counterparty", reader.pk)}


def test_both_approvals_are_audited_with_who_signed_and_the_evidence(draft_sla, slm,
                                                                     customer_user):
    version = draft_sla.latest_version()
    versions.approve(version, party="provider", by=slm, now=NOW)
    versions.approve(version, party="counterparty", by=slm, now=NOW,
                     on_behalf_of_contact=customer_user, evidence=EVIDENCE)

    entries = AuditEntry.objects.filter(action="approve").order_by("id")
    provider, counterparty = (e.changes["approval"][1] for e in entries)
    assert (provider["party"], provider["signatory_user"], provider["on_behalf"]) == (
        "provider", slm.pk, False)
    assert (counterparty["signatory_user"], counterparty["on_behalf"],
            counterparty["evidence"]) == (customer_user.pk, True, EVIDENCE)
    assert "recorded on their behalf by sam" in entries.last().message


def test_the_sign_off_form_offers_the_contacts_and_asks_for_evidence(
        client, draft_sla, slm, customer_user):
    services.transition(draft_sla, "in_negotiation", by=slm, now=NOW)
    versions.approve(draft_sla.latest_version(), party="provider", by=slm, now=NOW)
    client.force_login(slm)

    page = client.get(f"/agreements/{draft_sla.pk}/").content.decode()
    assert 'name="on_behalf_of_contact"' in page and f'value="{customer_user.pk}"' in page
    assert 'name="evidence"' in page

    client.post(f"/agreements/{draft_sla.pk}/versions/1/approve",
                {"party": "counterparty", "on_behalf_of_contact": customer_user.pk,
                 "evidence": EVIDENCE})

    approval = Approval.objects.get(party="counterparty")
    assert approval.signatory_user == customer_user and approval.evidence == EVIDENCE
