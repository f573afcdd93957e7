import pytest

from accord.accounts.services import history
from accord.agreements import services, versions
from accord.agreements.models import AgreementVersion, Approval, Target
from accord.catalogue.models import Customer
from accord.lib.errors import DomainError
from tests.conftest import NOW

from .conftest import HOUR, sign


@pytest.fixture
def agreed(draft_sla, slm):
    return sign(draft_sla.latest_version(), slm)


def test_services_refuse_to_edit_an_agreed_version(agreed, slm):
    target = agreed.targets.get()

    attempts = [
        lambda: versions.update_version(agreed, by=slm, now=NOW, text="rewritten"),
        lambda: versions.add_target(agreed, by=slm, now=NOW, metric="response",
                                    duration_seconds=HOUR),
        lambda: versions.update_target(target, by=slm, now=NOW, duration_seconds=HOUR),
        lambda: versions.delete_target(target, by=slm, now=NOW),
        lambda: versions.delete_draft_version(agreed, by=slm, now=NOW),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError, match="frozen"):
            attempt()

    agreed.refresh_from_db()
    assert agreed.text == "Acme terms"
    assert list(agreed.targets.values_list("duration_seconds", flat=True)) == [4 * HOUR]


def test_model_saves_and_deletes_cannot_bypass_the_freeze(agreed):
    # What the admin or a script would do: plain ORM calls.
    version = AgreementVersion.objects.get(pk=agreed.pk)
    version.text = "rewritten"
    with pytest.raises(DomainError, match="text cannot change"):
        version.save()
    target = Target.objects.get(version=agreed)
    target.duration_seconds = 60
    with pytest.raises(DomainError):
        target.save()
    with pytest.raises(DomainError):
        target.delete()
    with pytest.raises(DomainError):
        Target.objects.create(version=agreed, metric="response", duration_seconds=60)
    with pytest.raises(DomainError):
        Target.objects.filter(version=agreed).update(duration_seconds=60)
    with pytest.raises(DomainError):
        AgreementVersion.objects.filter(pk=agreed.pk).update(text="rewritten")
    with pytest.raises(DomainError):
        AgreementVersion.objects.filter(pk=agreed.pk).delete()
    with pytest.raises(DomainError):
        Approval.objects.filter(version=agreed).delete()
    with pytest.raises(DomainError):
        AgreementVersion.objects.get(pk=agreed.pk).delete()

    agreed.refresh_from_db()
    assert agreed.text == "Acme terms" and agreed.status == "agreed"
    assert agreed.targets.get().duration_seconds == 4 * HOUR
    assert agreed.approvals.count() == 2


def test_a_frozen_version_may_only_be_marked_superseded(agreed):
    version = AgreementVersion.objects.get(pk=agreed.pk)
    version.status = "draft"
    with pytest.raises(DomainError, match="status cannot go back"):
        version.save()

    version.status = "superseded"
    version.save()
    assert AgreementVersion.objects.get(pk=agreed.pk).status == "superseded"


def test_a_draft_can_still_be_saved_through_the_orm(draft_sla):
    target = Target.objects.get(version__agreement=draft_sla)
    target.duration_seconds = 2 * HOUR
    target.save()
    assert Target.objects.get(pk=target.pk).duration_seconds == 2 * HOUR


def test_the_parties_are_fixed_once_a_version_is_signed(draft_sla, agreed, slm):
    globex = Customer.objects.create(name="Globex")

    with pytest.raises(DomainError) as err:
        services.update_agreement(draft_sla, by=slm, now=NOW, customer=globex)
    assert err.value.field == "customer"

    # The header's name is not part of the signed terms: it may change, and it is audited.
    services.update_agreement(draft_sla, by=slm, now=NOW, name="Acme Web Shop SLA")
    draft_sla.refresh_from_db()
    assert draft_sla.customer.name == "Acme" and draft_sla.name == "Acme Web Shop SLA"
    assert history(draft_sla).first().changes["name"] == ["Acme Web Shop", "Acme Web Shop SLA"]
