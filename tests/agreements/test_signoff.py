import pytest

from accord.accounts.services import create_user, history
from accord.agreements import services, versions
from accord.agreements.content import content_hash, content_of
from accord.catalogue.models import Customer, Team
from accord.lib.errors import DomainError, Forbidden, InvalidInput
from tests.conftest import NOW, sign_on_behalf

from .conftest import HOUR, JAN_1, add_target, sign


def test_one_party_approving_does_not_agree_the_version(draft_sla, slm):
    version = draft_sla.latest_version()

    versions.approve(version, party="provider", by=slm, now=NOW)

    version.refresh_from_db()
    assert version.status == "draft" and version.frozen_at is None
    assert draft_sla.status == "draft"


def test_both_parties_approving_freezes_the_version_with_a_snapshot(draft_sla, slm,
                                                                    customer_user):
    version = draft_sla.latest_version()

    versions.approve(version, party="provider", by=slm, now=NOW, comment="ok for us")
    versions.approve(version, party="counterparty", by=customer_user, now=NOW)

    version.refresh_from_db()
    assert version.status == "agreed" and version.frozen_at == NOW
    assert version.content["text"] == "Acme terms"
    assert [t["priority"] for t in version.content["targets"]] == ["P1"]
    assert version.content_hash == content_hash(content_of(version))
    signed = {(a.party, a.signatory, a.on_behalf) for a in version.approvals.all()}
    assert signed == {("provider", "sam", False), ("counterparty", "carl", False)}
    # The default review date is a year after the version takes effect.
    assert version.review_due == JAN_1.replace(year=2026)
    assert "signed by" in history(version).filter(action="transition").first().message


def test_an_slm_may_record_the_counterpartys_signature_only_naming_its_contact(
        draft_sla, slm, customer_user):
    version = draft_sla.latest_version()

    with pytest.raises(InvalidInput) as err:
        versions.approve(version, party="counterparty", by=slm, now=NOW)
    assert err.value.field == "on_behalf_of_contact"

    approval = versions.approve(version, party="counterparty", by=slm, now=NOW,
                                on_behalf_of_contact=customer_user.pk,
                                evidence="Paper copy, contracts file 2025-17")
    assert approval.on_behalf and approval.signatory == "carl"
    assert approval.signatory_user == customer_user and approval.user == slm


def test_only_the_counterpartys_own_people_sign_for_it(draft_sla, slm, reader, analyst):
    other = Customer.objects.create(name="Globex")
    outsider = create_user("gina", role="customer")
    other.contacts.add(outsider)
    version = draft_sla.latest_version()

    for person in (outsider, reader, analyst):
        with pytest.raises(Forbidden):
            versions.approve(version, party="counterparty", by=person, now=NOW)
    assert not version.approvals.exists()


def test_a_customer_cannot_sign_for_the_provider(draft_sla, customer_user):
    with pytest.raises(Forbidden, match="provider"):
        versions.approve(draft_sla.latest_version(), party="provider", by=customer_user,
                         now=NOW)


def test_an_ola_is_signed_for_the_team_by_one_of_its_members(slm, owner, web_shop):
    desk = Team.objects.create(name="Service desk")
    desk.members.add(owner)
    ola = services.create_agreement(by=slm, now=NOW, name="Desk OLA", kind="ola", team=desk,
                                    effective_from=JAN_1)
    version = ola.latest_version()
    add_target(version, slm, metric="response", seconds=HOUR)

    sign(version, slm, counterparty_user=owner)

    assert version.status == "agreed"
    assert version.approvals.get(party="counterparty").signatory == "oscar"


def test_approving_twice_for_the_same_party_is_refused(draft_sla, slm, admin_user):
    version = draft_sla.latest_version()
    versions.approve(version, party="provider", by=slm, now=NOW)

    with pytest.raises(DomainError, match="already approved by the provider"):
        versions.approve(version, party="provider", by=admin_user, now=NOW)


def test_an_edit_after_an_approval_withdraws_it(draft_sla, slm, customer_user):
    version = draft_sla.latest_version()
    versions.approve(version, party="provider", by=slm, now=NOW)
    target = version.targets.get()

    # Acme asks for a faster resolution: the provider's approval no longer covers the text.
    versions.update_target(target, by=slm, now=NOW, duration_seconds=2 * HOUR)
    versions.approve(version, party="counterparty", by=customer_user, now=NOW)

    version.refresh_from_db()
    assert version.status == "draft"
    withdrawn = version.approvals.get(party="provider")
    assert withdrawn.invalidated_at == NOW and "draft changed" in withdrawn.invalidated_reason
    # The provider signs again, and now both approved the same content.
    versions.approve(version, party="provider", by=slm, now=NOW)
    version.refresh_from_db()
    assert version.status == "agreed"
    assert version.content["targets"][0]["duration_seconds"] == 2 * HOUR


def test_a_version_needs_a_start_date_and_targets_before_anyone_signs(slm, acme):
    agreement = services.create_agreement(by=slm, now=NOW, name="Bare", kind="sla",
                                          structure="customer_based", customer=acme)
    version = agreement.latest_version()

    with pytest.raises(DomainError) as err:
        versions.approve(version, party="provider", by=slm, now=NOW)
    assert err.value.field == "effective_from"

    versions.update_version(version, by=slm, now=NOW, effective_from=JAN_1)
    with pytest.raises(DomainError, match="no targets"):
        versions.approve(version, party="provider", by=slm, now=NOW)


def test_a_new_draft_copies_the_latest_text_and_targets(draft_sla, slm):
    v1 = sign(draft_sla.latest_version(), slm)

    v2 = versions.new_draft_version(draft_sla, by=slm, now=NOW, change_summary="faster P1")

    assert (v2.number, v2.status, v2.text) == (2, "draft", "Acme terms")
    assert [(t.metric, t.priority, t.duration_seconds) for t in v2.targets.all()] == [
        ("resolution", "P1", 4 * HOUR)
    ]
    assert v2.targets.get().pk != v1.targets.get().pk
    with pytest.raises(DomainError, match="already a draft"):
        versions.new_draft_version(draft_sla, by=slm, now=NOW)


def test_signing_a_newer_version_supersedes_the_older_one(draft_sla, slm):
    v1 = sign(draft_sla.latest_version(), slm)
    v2 = versions.new_draft_version(draft_sla, by=slm, now=NOW, effective_from=NOW)

    sign(v2, slm)

    v1.refresh_from_db()
    assert (v1.status, v2.status) == ("superseded", "agreed")
    # The older version's terms stay exactly as signed.
    assert v1.content["targets"] == v2.content["targets"]
    assert v1.effective_from == JAN_1


def test_a_discarded_draft_leaves_a_trace_in_the_agreements_history(draft_sla, slm):
    sign(draft_sla.latest_version(), slm)
    v2 = versions.new_draft_version(draft_sla, by=slm, now=NOW)

    versions.delete_draft_version(v2, by=slm, now=NOW)

    assert [v.number for v in draft_sla.versions.all()] == [1]
    assert history(draft_sla).first().message == f"draft {draft_sla.reference} v2 discarded"
    with pytest.raises(DomainError, match="keeps its first version"):
        versions.delete_draft_version(
            services.create_agreement(by=slm, now=NOW, name="x", kind="sla",
                                      structure="corporate").latest_version(),
            by=slm, now=NOW,
        )


def test_one_person_cannot_sign_for_both_parties(draft_sla, slm, acme):
    # Sam is the provider's SLM and, as it happens, also one of Acme's contacts.
    acme.contacts.add(slm)
    version = draft_sla.latest_version()
    versions.approve(version, party="provider", by=slm, now=NOW)

    with pytest.raises(DomainError, match="already signed for the other party"):
        versions.approve(version, party="counterparty", by=slm, now=NOW)

    version.refresh_from_db()
    assert version.frozen_at is None
    # Recording another contact's signature on their behalf remains possible.
    acme.contacts.remove(slm)
    sign_on_behalf(version, slm, NOW)
    version.refresh_from_db()
    assert version.frozen_at == NOW
