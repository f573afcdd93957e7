"""Service improvement plans: approval before start (SLM, or the customer's signatory for a
customer-facing plan), progress rolled up from actions, the measured effect from reporting.
The risk register: score, owner, mitigation actions, who may change it."""

from datetime import UTC, datetime, timedelta

import pytest

from accord.reviews import plans
from accord.reviews.models import Plan, Risk
from tests.reporting.conftest import MARCH_START, clock

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def propose(client, gov, **extra):
    body = {"title": "Faster P1 fixes", "shortfall": "P1 resolution missed 90 % in March",
            "agreement": gov["sla"].reference, "targets": [gov["p1"].pk],
            "milestones": [{"title": "Runbook", "due": "2025-04-15"}], **extra}
    return client.post("plans", body)


def test_a_plan_starts_only_once_approved(gov, owner, slm, api):
    made = propose(api(owner), gov)
    assert made.status_code == 201, made.data
    pid = made.data["id"]
    assert made.data["status"] == "draft" and made.data["targets"] == [gov["p1"].pk]
    early = api(owner).patch(f"plans/{pid}", {"status": "started"})
    assert early.status_code == 409 and "status" in str(early.data["detail"])
    assert api(owner).post(f"plans/{pid}/approve").status_code == 403  # SLMs approve
    approved = api(slm).post(f"plans/{pid}/approve")
    assert approved.status_code == 200 and approved.data["approved_by"] == "sam"
    assert api(slm).post(f"plans/{pid}/approve").status_code == 409  # once
    started = api(owner).patch(f"plans/{pid}", {"status": "started"})
    assert started.status_code == 200 and started.data["started_at"]
    # Its terms are fixed once approved.
    assert api(owner).patch(f"plans/{pid}", {"shortfall": "other"}).status_code == 409


def test_a_customer_facing_plan_is_approved_by_the_customer(gov, owner, slm, customer_user,
                                                            api):
    gov["acme"].contacts.add(customer_user)
    pid = propose(api(owner), gov, customer_facing=True).data["id"]
    assert api(slm).post(f"plans/{pid}/approve").status_code == 403
    answer = api(customer_user).post(f"plans/{pid}/approve")
    assert answer.status_code == 200, answer.data
    assert Plan.objects.get().approved_by == customer_user
    internal = propose(api(owner), gov, title="Internal").data["id"]
    assert api(customer_user).get(f"plans/{internal}").status_code == 404


def test_progress_rolls_up_from_its_actions(gov, slm, api):
    pid = propose(api(slm), gov).data["id"]
    assert api(slm).get(f"plans/{pid}").data["progress"] is None
    ids = []
    for title in ("a", "b", "c"):
        ids.append(api(slm).post("actions", {"title": title, "owner": "sam",
                                             "due": "2025-05-01", "plan": pid}).data["id"])
    api(slm).patch(f"actions/{ids[0]}", {"progress": 50})
    api(slm).post(f"actions/{ids[1]}/close", {"evidence": "done"})
    api(slm).patch(f"actions/{ids[2]}", {"status": "cancelled"})
    plan = api(slm).get(f"plans/{pid}").data
    assert plan["progress"] == 75.0  # (50 + 100) / 2; the cancelled one left out
    assert plan["actions"] == sorted(ids)


def test_the_measured_effect_compares_before_and_after(gov, slm):
    # March (Tokyo): 1 of 2 P1 clocks met; April: 2 of 2.
    for i, state in enumerate(("met", "breached")):
        start = MARCH_START + (i + 2) * DAY
        clock(gov["p1"], state, start, stopped=start + timedelta(hours=1 if i == 0 else 6))
    april = datetime(2025, 3, 31, 15, tzinfo=UTC)
    for i in range(2):
        start = april + (i + 2) * DAY
        clock(gov["p1"], "met", start, stopped=start + timedelta(hours=1))
    plan = plans.create_plan(by=slm, now=MARCH_START, title="P1", shortfall="P1 misses",
                             agreement=gov["sla"], targets=[gov["p1"].pk])
    plan = plans.approve_plan(plan, by=slm, now=april + DAY)
    plan = plans.update_plan(plan, by=slm, values={"status": "started"}, now=april + DAY)
    during = plans.effect(plan, april + 10 * DAY)
    assert during[0]["before"] == {"period": "2025-03", "compliance_percent": 50.0}
    assert during[0]["after"] is None  # no full month since it started
    later = plans.effect(plan, datetime(2025, 5, 10, tzinfo=UTC))
    assert later[0]["after"] == {"period": "2025-04", "compliance_percent": 100.0}


def test_bad_plans_name_the_field(gov, slm, api):
    def loc(**extra):
        answer = propose(api(slm), gov, **extra)
        assert answer.status_code == 422
        return answer.data["detail"][0]["loc"]

    assert loc(shortfall=" ") == ["body", "shortfall"]
    assert loc(targets=[gov["ola_target"].pk]) == ["body", "targets", 0]
    assert loc(milestones=[{"title": "x", "due": "soon"}]) == ["body", "milestones", 0, "due"]
    assert not Plan.objects.exists()


def test_the_risk_register(gov, owner, slm, reader, customer_user, api):
    made = api(owner).post("risks", {"title": "Single DBA", "service": "Web Shop",
                                     "likelihood": 3, "impact": 5,
                                     "review_date": "2025-06-01"})
    assert made.status_code == 201, made.data
    assert made.data["score"] == 15 and made.data["owner"] == "oscar"
    low = api(slm).post("risks", {"title": "Old TLS", "agreement": gov["sla"].reference,
                                  "likelihood": 1, "impact": 2}).data
    assert [r["title"] for r in api(reader).get("risks").data["items"]] == [
        "Single DBA", "Old TLS"]  # highest score first
    # A service owner does not register risks of agreements outside their services.
    assert api(owner).post("risks", {"title": "x", "agreement": gov["sla"].reference,
                                     "likelihood": 1, "impact": 1}).status_code == 403
    assert api(owner).patch(f"risks/{low['id']}", {"impact": 3}).status_code == 403
    bad = api(slm).patch(f"risks/{low['id']}", {"likelihood": 6})
    assert bad.status_code == 422 and "likelihood" in str(bad.data["detail"])
    api(slm).post("actions", {"title": "Second DBA", "owner": "oscar", "due": "2025-05-01",
                              "risk": made.data["id"]})
    assert api(slm).get(f"risks/{made.data['id']}").data["actions"] != []
    assert api(customer_user).get("risks").status_code == 403
    assert Risk.objects.get(pk=low["id"]).likelihood == 1
