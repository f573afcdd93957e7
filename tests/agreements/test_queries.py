from accord.accounts.services import history
from accord.agreements import queries, services
from accord.agreements.models import PriorityMatrixCell
from accord.catalogue.models import Customer, Service, Team
from tests.conftest import NOW

from .conftest import HOUR, JAN_1, add_target, sign


def _signed(slm, name, **fields):
    agreement = services.create_agreement(by=slm, now=NOW, name=name, effective_from=JAN_1,
                                          **fields)
    add_target(agreement.latest_version(), slm, metric="response", seconds=HOUR)
    sign(agreement.latest_version(), slm)
    return agreement


def test_it_finds_the_agreements_that_cover_a_ticket(slm, acme, web_shop):
    payroll = Service.objects.create(name="Payroll")
    desk = Team.objects.create(name="Service desk")
    corporate = _signed(slm, "Corporate", kind="sla", structure="corporate")
    acme_level = _signed(slm, "Acme", kind="sla", structure="customer_level", customer=acme,
                         parent=corporate)
    shop_for_all = _signed(slm, "Shop for all", kind="sla", structure="service_based",
                           services=[web_shop])
    ola = _signed(slm, "Desk OLA", kind="ola", team=desk)
    services.create_agreement(by=slm, now=NOW, name="Unsigned", kind="sla",
                              structure="customer_based", customer=acme)

    def names(**ticket):
        return sorted(a.name for a in queries.agreements_covering(NOW, **ticket))

    # Acme's customer level replaces the corporate level above it.
    assert names(customer=acme, service=web_shop, team=desk) == [
        "Acme", "Desk OLA", "Shop for all"
    ]
    assert names(customer=acme, service=payroll) == ["Acme"]
    assert names(customer=Customer.objects.create(name="Globex"), service=payroll) == [
        "Corporate"
    ]
    assert queries.agreements_covering(JAN_1.replace(year=2024), customer=acme) == []
    assert {acme_level, shop_for_all, ola} <= set(queries.agreements_covering(
        NOW, customer=acme, service=web_shop, team=desk))


def test_the_priority_matrix_of_an_agreement_replaces_the_global_one(draft_sla, slm,
                                                                     admin_user):
    services.set_priority_matrix(None, [
        {"impact": "high", "urgency": "high", "priority": "P1"},
        {"impact": "high", "urgency": "low", "priority": "P3"},
    ], by=admin_user)
    assert queries.priority_for(draft_sla, "high", "low") == "P3"

    services.set_priority_matrix(draft_sla, [
        {"impact": "high", "urgency": "low", "priority": "P2"},
    ], by=slm)

    assert queries.priority_for(draft_sla, "high", "low") == "P2"
    assert queries.priority_for(draft_sla, "high", "high") is None  # not in Acme's matrix
    assert queries.priority_for(None, "high", "high") == "P1"
    assert history(draft_sla).first().changes["priority_matrix"] == [
        [], [["high", "low", "P2"]]
    ]
    assert PriorityMatrixCell.objects.count() == 3
