import pytest

from accord.agreements.models import Agreement, AgreementVersion, Target
from accord.escalation import queries, services
from accord.lib.errors import InvalidInput
from tests.conftest import NOW


def agreement_with_target(name):
    agreement = Agreement.objects.create(name=name, kind="sla", created_at=NOW)
    version = AgreementVersion.objects.create(agreement=agreement, number=1, created_at=NOW)
    target = Target.objects.create(version=version, metric="resolution",
                                   duration_seconds=8 * 3600, priority="P1")
    return agreement, target


def policy(slm, name, **scope):
    return services.create_policy(by=slm, name=name, now=NOW, steps=[{"threshold": 75}],
                                  **scope)


def test_a_target_policy_overrides_the_agreements_which_overrides_the_default(slm, admin_user):
    shop, p1 = agreement_with_target("Web Shop SLA")
    payroll, _ = agreement_with_target("Payroll SLA")
    default = policy(admin_user, "Default")
    for_shop = policy(slm, "Web Shop", agreement_id=shop.pk)
    for_p1 = policy(slm, "Web Shop P1", target_id=p1.pk)

    assert for_p1.agreement_id == shop.pk  # a target brings its agreement
    assert queries.policy_for(shop.pk, p1.pk) == for_p1
    assert queries.policy_for(shop.pk, None) == for_shop
    assert queries.policy_for(payroll.pk, None) == default
    assert [s.threshold for s in queries.policy_for(payroll.pk).steps.all()] == [75]


def test_each_scope_has_one_policy(slm, admin_user):
    shop, p1 = agreement_with_target("Web Shop SLA")
    other, _ = agreement_with_target("Other SLA")
    policy(admin_user, "Default")
    policy(slm, "Web Shop", agreement_id=shop.pk)

    refusals = [
        ({}, "agreement_id", "already the global default"),
        ({"agreement_id": shop.pk}, "agreement_id", "already has policy 'Web Shop'"),
        ({"target_id": p1.pk, "agreement_id": other.pk}, "agreement_id", "belongs to"),
        ({"target_id": 999}, "target_id", "no target 999"),
    ]
    for scope, field, message in refusals:
        with pytest.raises(InvalidInput, match=message) as caught:
            policy(admin_user, "Another", **scope)
        assert caught.value.field == field


def test_policies_are_scoped_and_filtered_through_the_api(slm, api):
    shop, p1 = agreement_with_target("Web Shop SLA")
    created = api(slm).post("escalation-policies", {
        "name": "Web Shop P1", "target_id": p1.pk, "steps": [{"threshold": 90}]})
    assert created.status_code == 201
    assert (created.data["scope"], created.data["agreement_id"]) == ("target", shop.pk)

    moved = api(slm).patch(f"escalation-policies/{created.data['id']}",
                           {"agreement_id": shop.pk})
    assert (moved.data["scope"], moved.data["target_id"]) == ("agreement", None)
    listed = api(slm).get(f"escalation-policies?agreement_id={shop.pk}")
    assert [p["name"] for p in listed.data["items"]] == ["Web Shop P1"]
