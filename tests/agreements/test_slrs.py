from decimal import Decimal

import pytest

from accord.accounts.services import history
from accord.agreements import slrs
from accord.agreements.models import Agreement, AgreementVersion, ServiceLevelRequirement
from accord.lib.errors import DomainError, InvalidInput
from tests.conftest import NOW

from .conftest import HOUR, sign

REQUESTED = [
    {"metric": "resolution", "priority": "P1", "duration_seconds": 2 * HOUR,
     "note": "checkout outages cost us"},
    {"metric": "availability", "percentage": 99.9},
]


@pytest.fixture
def slr(slm, acme, web_shop):
    return slrs.create_slr(by=slm, now=NOW, title="Faster P1 fixes", customer=acme,
                           service=web_shop, requested_by="Pat Buyer",
                           requested_targets=REQUESTED)


def _accepted(slr, slm):
    return slrs.evaluate_slr(slr, by=slm, now=NOW, feasibility="yes", decision="accept")


def test_it_captures_an_slr_and_checks_the_requested_targets(slr, slm, acme):
    assert slr.status == "captured" and slr.requested_targets[0]["note"]

    bad = [REQUESTED[0], {"metric": "availability", "duration_seconds": 60}]
    with pytest.raises(InvalidInput) as err:
        slrs.create_slr(by=slm, now=NOW, title="Bad", customer=acme, requested_targets=bad)

    assert err.value.field == "requested_targets[1].percentage"
    assert ServiceLevelRequirement.objects.count() == 1


def test_evaluation_records_who_when_and_whether_we_can_deliver(slr, slm, admin_user):
    slrs.evaluate_slr(slr, by=slm, now=NOW, feasibility="partly",
                      notes="99.9 % needs a second data centre")
    slr.refresh_from_db()
    assert (slr.status, slr.feasibility, slr.evaluated_by, slr.evaluated_at) == (
        "under_evaluation", "partly", slm, NOW
    )

    with pytest.raises(InvalidInput) as err:
        slrs.evaluate_slr(slr, by=admin_user, now=NOW, feasibility="no", decision="accept")
    assert err.value.field == "decision"

    slrs.evaluate_slr(slr, by=admin_user, now=NOW, feasibility="no", decision="reject")
    slr.refresh_from_db()
    assert (slr.status, slr.evaluated_by) == ("rejected", admin_user)
    assert history(slr).first().message.startswith("evaluated: no")


def test_only_an_accepted_slr_is_converted(slr, slm):
    with pytest.raises(DomainError, match="only an accepted SLR"):
        slrs.convert_to_draft(slr, by=slm, now=NOW)
    assert not Agreement.objects.exists()


def test_converting_creates_a_draft_sla_with_the_requested_targets(slr, slm, acme, web_shop):
    _accepted(slr, slm)

    version = slrs.convert_to_draft(slr, by=slm, now=NOW)

    agreement = version.agreement
    assert (agreement.kind, agreement.structure, agreement.customer, agreement.status) == (
        "sla", "customer_based", acme, "draft"
    )
    assert list(agreement.services.all()) == [web_shop]
    assert [(t.metric, t.priority, t.duration_seconds, t.percentage, t.service)
            for t in version.targets.all()] == [
        ("resolution", "P1", 2 * HOUR, None, web_shop),
        ("availability", "", None, Decimal("99.9"), web_shop),
    ]
    slr.refresh_from_db()
    assert (slr.status, slr.version, slr.converted_at) == ("converted", version, NOW)
    with pytest.raises(DomainError):
        slrs.update_slr(slr, by=slm, now=NOW, title="changed")


def test_converting_into_a_signed_agreement_opens_a_new_draft(slr, slm, draft_sla):
    sign(draft_sla.latest_version(), slm)
    slrs.update_slr(slr, by=slm, now=NOW, requested_targets=[REQUESTED[1]])
    _accepted(slr, slm)

    version = slrs.convert_to_draft(slr, draft_sla, by=slm, now=NOW)

    assert (version.number, version.status) == (2, "draft")
    assert sorted(t.metric for t in version.targets.all()) == ["availability", "resolution"]


def test_a_conflicting_requested_target_names_the_item_and_writes_nothing(slr, slm, draft_sla):
    _accepted(slr, slm)
    # The draft already has a P1 resolution target for the Web Shop's scope "any service";
    # the SLR asks for P1 resolution on the Web Shop specifically, so make it clash exactly.
    draft_sla.latest_version().targets.update(service=slr.service)

    with pytest.raises(InvalidInput) as err:
        slrs.convert_to_draft(slr, draft_sla, by=slm, now=NOW)

    assert err.value.field == "requested_targets[0].metric"
    slr.refresh_from_db()
    assert slr.status == "accepted"
    assert AgreementVersion.objects.get(agreement=draft_sla).targets.count() == 1
