from datetime import UTC, datetime

import pytest

from accord.agreements import services, versions
from accord.agreements.inheritance import effective_targets
from accord.catalogue.models import Service
from accord.lib.errors import InvalidInput
from tests.conftest import NOW

from .conftest import HOUR, JAN_1, add_target, sign


def _sla(slm, name, structure, targets, **fields):
    agreement = services.create_agreement(by=slm, now=NOW, name=name, kind="sla",
                                          structure=structure, effective_from=JAN_1, **fields)
    for target in targets:
        add_target(agreement.latest_version(), slm, **target)
    sign(agreement.latest_version(), slm)
    return agreement


@pytest.fixture
def levels(slm, acme, web_shop):
    """Corporate → Acme (customer level) → Acme Web Shop (service level)."""
    payroll = Service.objects.create(name="Payroll")
    corporate = _sla(slm, "Corporate", "corporate", [
        {"metric": "response", "priority": "P1", "seconds": HOUR},
        {"metric": "resolution", "priority": "P1", "seconds": 8 * HOUR},
        {"metric": "availability", "priority": "", "percentage": 99.5},
        {"metric": "resolution", "priority": "P2", "seconds": 16 * HOUR, "service": payroll},
    ])
    customer = _sla(slm, "Acme", "customer_level", [
        {"metric": "resolution", "priority": "P1", "seconds": 6 * HOUR},
        {"metric": "experience", "priority": "", "percentage": 80},
    ], customer=acme, parent=corporate)
    service = _sla(slm, "Acme Web Shop", "service_level", [
        {"metric": "resolution", "priority": "P1", "seconds": 4 * HOUR},
        {"metric": "availability", "priority": "", "percentage": 99.9, "service": web_shop},
    ], customer=acme, parent=customer, services=[web_shop])
    return corporate, customer, service


def _summary(effective):
    return [
        (e.target.metric, e.target.priority,
         e.target.duration_seconds or float(e.target.percentage), e.agreement.name, e.inherited)
        for e in effective
    ]


def test_a_service_level_sla_inherits_and_overrides_the_outer_levels(levels):
    corporate, customer, service = levels

    effective = effective_targets(service, NOW)

    assert _summary(effective) == [
        ("response", "P1", HOUR, "Corporate", True),
        ("resolution", "P1", 4 * HOUR, "Acme Web Shop", False),
        ("availability", "", 99.9, "Acme Web Shop", False),
        ("experience", "", 80.0, "Acme", True),
    ]
    # Where the overridden values came from, innermost first.
    resolution = effective[1]
    assert [(t.version.agreement.name, t.duration_seconds) for t in resolution.overrides] == [
        ("Acme", 6 * HOUR), ("Corporate", 8 * HOUR)
    ]
    # The Payroll target of the corporate level is about another service: it does not apply.
    assert all(e.target.service is None or e.target.service.name == "Web Shop"
               for e in effective)


def test_the_customer_level_sees_only_itself_and_the_corporate_level(levels):
    corporate, customer, service = levels

    summary = _summary(effective_targets(customer, NOW))

    assert ("resolution", "P1", 6 * HOUR, "Acme", False) in summary
    assert ("resolution", "P2", 16 * HOUR, "Corporate", True) in summary  # Payroll, any service


def test_each_level_contributes_its_version_in_force_at_the_instant(levels, slm):
    corporate, customer, service = levels
    # Acme's customer level gets a v2 from 1 June without the experience target.
    v2 = versions.new_draft_version(customer, by=slm, now=NOW,
                                    effective_from=datetime(2025, 6, 1, tzinfo=UTC))
    versions.delete_target(v2.targets.get(metric="experience"), by=slm, now=NOW)
    sign(v2, slm)

    before = {e.target.metric for e in effective_targets(service, datetime(2025, 5, 1,
                                                                             tzinfo=UTC))}
    after = {e.target.metric for e in effective_targets(service, datetime(2025, 6, 1,
                                                                            tzinfo=UTC))}

    assert "experience" in before and "experience" not in after


def test_a_draft_can_be_previewed_against_the_levels_in_force(levels, slm):
    corporate, customer, service = levels
    draft = versions.new_draft_version(service, by=slm, now=NOW)
    versions.delete_target(draft.targets.get(metric="resolution"), by=slm, now=NOW)

    summary = _summary(effective_targets(draft, NOW))

    assert ("resolution", "P1", 6 * HOUR, "Acme", True) in summary


def test_an_agreement_with_nothing_in_force_has_no_effective_targets(levels):
    corporate, customer, service = levels
    assert effective_targets(service, datetime(2024, 12, 31, tzinfo=UTC)) == []


def test_levels_must_nest_properly(slm, acme, web_shop, levels):
    corporate, customer, service = levels
    with pytest.raises(InvalidInput) as err:
        services.create_agreement(by=slm, now=NOW, name="x", kind="sla",
                                  structure="service_level", customer=acme, services=[web_shop])
    assert err.value.field == "parent"
    with pytest.raises(InvalidInput) as err:
        services.create_agreement(by=slm, now=NOW, name="x", kind="sla",
                                  structure="customer_level", customer=acme, parent=service)
    assert err.value.field == "parent"
    with pytest.raises(InvalidInput) as err:
        services.create_agreement(by=slm, now=NOW, name="x", kind="sla", structure="corporate",
                                  customer=acme)
    assert err.value.field == "customer"
