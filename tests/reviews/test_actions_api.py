"""/api/v1/actions: raise, list, change and close owned actions; closing needs evidence."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accord.accounts.models import AuditEntry
from accord.reviews.models import Action

pytestmark = pytest.mark.django_db


def raise_action(client, **extra):
    body = {"title": "Fix the P1 runbook", "owner": "oscar", "due": "2025-03-20", **extra}
    return client.post("actions", body)


def test_it_raises_an_action_with_title_owner_and_due(gov, slm, owner, api):
    made = raise_action(api(slm), description="runbook is stale", agreement=gov["sla"].reference,
                        service="Web Shop")
    assert made.status_code == 201, made.data
    assert made.data["owner"] == "oscar" and made.data["due"] == "2025-03-20"
    assert made.data["status"] == "open" and made.data["agreement"] == gov["sla"].reference
    assert made.data["service"] == "Web Shop"
    by_id = raise_action(api(slm), owner=owner.pk)
    assert by_id.status_code == 201 and by_id.data["owner"] == "oscar"
    listed = api(slm).get("actions?owner=oscar&status=open")
    assert listed.data["count"] == 2 and len(listed.data["items"]) == 2
    assert AuditEntry.objects.filter(content_type__model="action", action="create").count() == 2


def test_without_a_person_it_goes_to_the_agreement_owner_due_in_seven_days(gov, slm, owner,
                                                                           api):
    made = api(owner).post("actions", {"title": "Check P1 queue",
                                       "agreement": gov["sla"].reference})
    assert made.status_code == 201, made.data
    assert made.data["owner"] == "sam"
    assert made.data["due"] == (timezone.now().date() + timedelta(days=7)).isoformat()
    # Without an agreement owner: the service owner.
    gov["sla"].owner = None
    gov["sla"].save(update_fields=["owner"])
    made = api(owner).post("actions", {"title": "Check P2 queue", "service": "Web Shop"})
    assert made.data["owner"] == "oscar"


def test_closing_needs_evidence(gov, slm, api):
    made = raise_action(api(slm)).data
    for empty in ("", "   "):
        refused = api(slm).post(f"actions/{made['id']}/close", {"evidence": empty})
        assert refused.status_code == 422 and "evidence" in str(refused.data["detail"])
    assert api(slm).post(f"actions/{made['id']}/close", {}).status_code == 422
    assert Action.objects.get().status == "open"
    closed = api(slm).post(f"actions/{made['id']}/close", {"evidence": "runbook v2 published"})
    assert closed.status_code == 200, closed.data
    assert closed.data["status"] == "done" and closed.data["evidence"] == "runbook v2 published"
    # Done is final.
    assert api(slm).patch(f"actions/{made['id']}", {"title": "x"}).status_code == 409
    assert api(slm).post(f"actions/{made['id']}/close", {"evidence": "again"}).status_code == 409


def test_done_only_through_close(gov, slm, api):
    made = raise_action(api(slm)).data
    answer = api(slm).patch(f"actions/{made['id']}", {"status": "done"})
    assert answer.status_code == 422 and "status" in str(answer.data["detail"])
    assert api(slm).patch(f"actions/{made['id']}", {"status": "in_progress", "progress": 40}
                          ).data["status"] == "in_progress"


def test_an_action_waits_for_its_dependencies(gov, slm, api):
    first = raise_action(api(slm)).data
    second = raise_action(api(slm), title="Train the desk", depends_on=[first["id"]]).data
    assert second["depends_on"] == [first["id"]]
    waiting = api(slm).post(f"actions/{second['id']}/close", {"evidence": "trained"})
    assert waiting.status_code == 409 and "depends_on" in str(waiting.data["detail"])
    cycle = api(slm).patch(f"actions/{first['id']}", {"depends_on": [second["id"]]})
    assert cycle.status_code == 422 and "depends_on" in str(cycle.data["detail"])
    api(slm).post(f"actions/{first['id']}/close", {"evidence": "done"})
    assert api(slm).post(f"actions/{second['id']}/close", {"evidence": "trained"}
                         ).status_code == 200


@pytest.mark.parametrize("override, field", [
    ({"owner": "nobody"}, "owner"),
    ({"due": "2025-02-30"}, "due"),
    ({"title": " "}, "title"),
    ({"agreement": "SLA-9999"}, "agreement"),
    ({"service": "No such"}, "service"),
    ({"clock": 424242}, "clock"),
])
def test_bad_input_names_the_field_and_changes_nothing(gov, slm, api, override, field):
    answer = raise_action(api(slm), **override)
    assert answer.status_code == 422, answer.data
    assert field in str(answer.data["detail"])
    assert not Action.objects.exists()


def test_who_may_raise_and_change(gov, reader, analyst, owner, slm, customer_user, api):
    assert raise_action(api(reader)).status_code == 403
    assert raise_action(api(analyst)).status_code == 403
    assert raise_action(api(customer_user)).status_code == 403
    assert api(customer_user).get("actions").status_code == 403
    made = raise_action(api(slm), owner="sam", service=None).data
    # A service owner may not change an SLM's action outside their services ...
    assert api(owner).patch(f"actions/{made['id']}", {"progress": 10}).status_code == 403
    # ... but may change those of the services they own.
    mine = raise_action(api(slm), owner="sam", service="Web Shop").data
    assert api(owner).patch(f"actions/{mine['id']}", {"progress": 10}).status_code == 200


def test_risk_status_from_due_date_and_progress(gov, slm, api):
    from accord.reviews.actions import create_action
    from tests.conftest import NOW

    action = create_action(by=slm, now=NOW, title="x", due=NOW.date() + timedelta(days=10))
    today = NOW.date()
    assert action.risk_status(today) == "on_track"
    assert action.risk_status(today + timedelta(days=6)) == "at_risk"  # 60 % gone, 0 % done
    action.progress = 50
    assert action.risk_status(today + timedelta(days=6)) == "on_track"
    assert action.risk_status(today + timedelta(days=11)) == "off_track"  # overdue
    action.risk_status_set = "at_risk"
    assert action.risk_status(today) == "at_risk"  # set by hand wins


def test_one_click_on_a_breached_clock(gov, slm, api):
    from tests.reporting.conftest import MARCH_START, clock

    breached = clock(gov["p1"], "breached", MARCH_START + timedelta(days=1))
    made = api(slm).post("actions", {"title": "Why did T1 breach?", "clock": breached.pk})
    assert made.status_code == 201, made.data
    assert made.data["clock"] == breached.pk and made.data["source"] == "breach"
    assert made.data["agreement"] == gov["sla"].reference and made.data["owner"] == "sam"
    assert date.fromisoformat(made.data["due"])
    assert api(slm).get(f"actions?clock={breached.pk}").data["count"] == 1
