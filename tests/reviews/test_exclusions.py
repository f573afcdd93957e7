"""Breach exclusions: a breached clock claimed as excluded changes compliance only once the
counterparty's signatory or a service level manager approves it, never by the claimant; the
clock itself never changes; every claim and decision is audited."""

from datetime import timedelta

import pytest

from accord.accounts.models import AuditEntry
from accord.measurement.models import Clock, ClockExclusion
from accord.reporting.aggregate import ClockRow
from accord.reporting.compliance import compliance_report
from tests.reporting.conftest import AFTER, HOUR, MARCH_START, clock, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def p1_row(world, rows=None):
    report = compliance_report(world["sla"], "2025-03", now=AFTER, rows=rows)
    return next(r for r in report["targets"] if r["target"] == world["p1"].pk)


@pytest.fixture(name="march")
def march_fixture(world):
    """Three met P1 clocks and one breached in Acme's March: 75 % against 90 %."""
    p1 = world["p1"]
    for i in range(3):
        start = MARCH_START + (i + 1) * DAY
        clock(p1, "met", start, stopped=start + timedelta(hours=1))
    start = MARCH_START + 5 * DAY
    return clock(p1, "breached", start, stopped=start + timedelta(hours=6))


def claim(client, breached, **extra):
    body = {"clock": breached.pk, "reason": "customer_caused",
            "explanation": "Acme kept the server switched off", "evidence": "call log 4711"}
    return client.post("exclusions", {**body, **extra})


def test_it_changes_compliance_only_once_approved(world, march, analyst, slm, api):
    before = p1_row(world)
    assert (before["breached"], before["excluded"], before["compliance_percent"]) == (1, 0, 75.0)
    assert before["objective_met"] is False

    made = claim(api(analyst), march)
    assert made.status_code == 201, made.data
    assert made.data["status"] == "pending"
    # A pending claim counts nothing.
    assert p1_row(world)["excluded"] == 0

    decided = api(slm).post(f"exclusions/{made.data['id']}/approve", {"note": "agreed"})
    assert decided.status_code == 200, decided.data
    assert decided.data["status"] == "approved" and decided.data["decided_by"] == "sam"
    after = p1_row(world)
    # Still one breach; excluded from the net figure only.
    assert (after["breached"], after["excluded"]) == (1, 1)
    assert after["compliance_percent"] == 100.0
    assert after["compliance_percent_raw"] == 75.0
    assert after["objective_met"] is True
    assert after["credit_due"] is None or after["credit_due"] == "0.00"
    # The in-memory backend reads the same exclusion.
    rows = [ClockRow.from_clock(c) for c in Clock.objects.select_related("ticket")]
    assert p1_row(world, rows=rows) == after


def test_the_claimant_can_never_decide(world, march, slm, api):
    made = claim(api(slm), march)
    for verb in ("approve", "reject"):
        answer = api(slm).post(f"exclusions/{made.data['id']}/{verb}")
        assert answer.status_code == 403, answer.data
    assert ClockExclusion.objects.get().status == "pending"
    assert p1_row(world)["excluded"] == 0


def test_the_counterparty_signatory_may_decide(world, march, analyst, customer_user, api):
    world["acme"].contacts.add(customer_user)
    made = claim(api(analyst), march)
    seen = api(customer_user).get(f"exclusions/{made.data['id']}")
    assert seen.status_code == 200
    answer = api(customer_user).post(f"exclusions/{made.data['id']}/approve")
    assert answer.status_code == 200, answer.data
    assert p1_row(world)["excluded"] == 1


def test_another_customer_neither_sees_nor_decides(world, march, analyst, customer_user, api):
    from accord.catalogue.models import Customer

    Customer.objects.create(name="Other").contacts.add(customer_user)
    made = claim(api(analyst), march)
    assert api(customer_user).get(f"exclusions/{made.data['id']}").status_code == 404
    assert api(customer_user).post(f"exclusions/{made.data['id']}/approve").status_code == 404
    assert api(customer_user).get("exclusions").data == {"items": [], "count": 0}
    assert ClockExclusion.objects.get().status == "pending"


def test_a_rejected_claim_counts_nothing_and_cannot_be_decided_again(world, march, analyst,
                                                                        slm, api):
    made = claim(api(analyst), march)
    assert api(slm).post(f"exclusions/{made.data['id']}/reject",
                         {"note": "no evidence"}).status_code == 200
    again = api(slm).post(f"exclusions/{made.data['id']}/approve")
    assert again.status_code == 409
    assert p1_row(world)["excluded"] == 0
    # A fresh claim is possible after a rejection, not beside a live one.
    assert claim(api(analyst), march).status_code == 201
    assert claim(api(analyst), march).status_code == 409


def test_the_clock_itself_never_changes(world, march, analyst, slm, api):
    stored = Clock.objects.filter(pk=march.pk).values().get()
    made = claim(api(analyst), march)
    api(slm).post(f"exclusions/{made.data['id']}/approve")
    assert Clock.objects.filter(pk=march.pk).values().get() == stored


def test_every_claim_and_decision_is_audited(world, march, analyst, slm, api):
    made = claim(api(analyst), march)
    api(analyst).patch(f"exclusions/{made.data['id']}", {"evidence": "call log 4711, 4712"})
    api(slm).post(f"exclusions/{made.data['id']}/approve")
    entries = AuditEntry.objects.filter(object_id=str(made.data["id"]),
                                        content_type__model="clockexclusion").order_by("id")
    assert [(e.actor, e.action) for e in entries] == [
        ("anna", "create"), ("anna", "update"), ("sam", "approve")]
    assert entries[1].changes["evidence"] == ["call log 4711", "call log 4711, 4712"]


@pytest.mark.parametrize("override, field", [
    ({"reason": "bad luck"}, "reason"),
    ({"evidence": "  "}, "evidence"),
    ({"clock": 999999}, "clock"),
])
def test_bad_claims_name_the_field_and_store_nothing(world, march, analyst, api, override,
                                                    field):
    answer = claim(api(analyst), march, **override)
    assert answer.status_code == 422
    assert field in str(answer.data["detail"])
    assert not ClockExclusion.objects.exists()


def test_only_a_breached_clock_can_be_claimed(world, analyst, api):
    met = clock(world["p1"], "met", MARCH_START + DAY, stopped=MARCH_START + DAY + HOUR *
                timedelta(seconds=1))
    answer = claim(api(analyst), met)
    assert answer.status_code == 422 and "clock" in str(answer.data["detail"])


def test_a_reader_may_not_claim(world, march, reader, api):
    assert claim(api(reader), march).status_code == 403
    assert not ClockExclusion.objects.exists()


def test_a_read_only_token_may_not_decide(world, march, analyst, slm, api):
    made = claim(api(analyst), march)
    answer = api(slm, scope="read").post(f"exclusions/{made.data['id']}/approve")
    assert answer.status_code == 403
    assert ClockExclusion.objects.get().status == "pending"
