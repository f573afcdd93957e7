"""Breach investigation: reason codes, root cause, the responsible party suggested from the
attribution and confirmed by a person; reporting's breaches_by_party uses the confirmed party
(both backends); recurring causes are improvement-plan candidates."""

from datetime import timedelta

import pytest

from accord.measurement.models import BreachInvestigation, Clock, ReasonCode, Ticket
from accord.reporting.aggregate import ClockRow
from accord.reporting.compliance import compliance_report
from tests.reporting.conftest import AFTER, MARCH_START, clock

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture(name="breached")
def breached_fixture(gov):
    ReasonCode.objects.update_or_create(code="capacity", defaults={"label": "Not enough people"})
    return [clock(gov["p1"], "breached", MARCH_START + (i + 1) * DAY,
                  attribution={"supplier Vendor Co": 3000.0, "team Second Line": 600.0})
            for i in range(2)]


def by_party(gov, rows=None):
    return compliance_report(gov["sla"], "2025-03", now=AFTER, rows=rows)["kpis"][
        "breaches_by_party"]


def test_the_party_is_suggested_then_confirmed(gov, breached, owner, api):
    seen = api(owner).get(f"breaches/{breached[0].pk}/investigation")
    assert seen.status_code == 200 and seen.data["suggested_party"] == "supplier"
    assert seen.data["party"] == ""
    problem = Ticket.objects.create(source="t", ticket_id="PRB-7", type="problem")
    answer = api(owner).put(f"breaches/{breached[0].pk}/investigation", {
        "reason": "capacity", "root_cause": "Desk understaffed at night",
        "party": "internal", "problems": ["PRB-7"]})
    assert answer.status_code == 200, answer.data
    assert answer.data["confirmed_by"] == "oscar" and answer.data["problems"] == ["PRB-7"]
    assert BreachInvestigation.objects.get().problems.get() == problem


def test_breaches_by_party_uses_the_confirmed_party(gov, breached, owner, api):
    assert by_party(gov) == {"internal": 0, "supplier": 2, "customer": 0, "unattributed": 0}
    api(owner).put(f"breaches/{breached[0].pk}/investigation", {"party": "customer"})
    expected = {"internal": 0, "supplier": 1, "customer": 1, "unattributed": 0}
    assert by_party(gov) == expected
    rows = [ClockRow.from_clock(c) for c in Clock.objects.select_related("ticket")]
    assert by_party(gov, rows=rows) == expected  # the in-memory backend agrees


def test_recurring_causes_are_plan_candidates(gov, breached, owner, api):
    for c in breached:
        api(owner).put(f"breaches/{c.pk}/investigation", {"reason": "capacity"})
    found = api(owner).get("breaches/plan-candidates").data
    assert found == [{"agreement_id": gov["sla"].pk, "reason": "capacity", "breaches": 2,
                      "missed_objectives": 0,
                      "key": {"metric": "resolution", "service": None, "type": None,
                              "priority": "P1"}}]


def test_bad_input_and_rights(gov, breached, reader, owner, admin_user, customer_user, api):
    bad = api(owner).put(f"breaches/{breached[0].pk}/investigation", {"reason": "luck"})
    assert bad.status_code == 422 and "reason" in str(bad.data["detail"])
    bad = api(owner).put(f"breaches/{breached[0].pk}/investigation", {"party": "aliens"})
    assert bad.status_code == 422 and "party" in str(bad.data["detail"])
    assert api(reader).put(f"breaches/{breached[0].pk}/investigation",
                           {"root_cause": "x"}).status_code == 403
    assert api(customer_user).get(f"breaches/{breached[0].pk}/investigation"
                                  ).status_code == 403
    assert not BreachInvestigation.objects.exists()
    # Reason codes are the administrators' list.
    assert api(owner).post("reason-codes", {"code": "x", "label": "X"}).status_code == 403
    assert api(admin_user).post("reason-codes", {"code": "vendor", "label": "Vendor"}
                                ).status_code == 201
    assert api(admin_user).post("reason-codes", {"code": "vendor", "label": "Again"}
                                ).status_code == 409


def test_only_problem_records_can_be_linked_to_a_breach(gov, breached, owner, api):
    Ticket.objects.create(source="t", ticket_id="INC-4", type="incident")

    answer = api(owner).put(f"breaches/{breached[0].pk}/investigation",
                            {"root_cause": "x", "problems": ["INC-4"]})

    assert answer.status_code == 422
    assert answer.data["detail"][0]["loc"][-2:] == ["problems", 0]
    assert answer.data["detail"][0]["msg"] == (
        "ticket 'INC-4' is of type 'incident', not a problem record")
    assert not BreachInvestigation.objects.exists()
