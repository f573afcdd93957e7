"""At-risk clocks: the prediction in the API, and an at_risk step that fires before any fixed
threshold. History: 25 P1 tickets resolved in 1 hour (25 % of 4 h), 25 in 6 hours (breached)."""

import pytest

from accord.escalation.models import Escalation
from accord.escalation.services import fire_due
from tests.escalation.clock_world import at, build_world, clock_of, event, opened, send


def history():
    events = []
    for i in range(50):
        ticket = f"OLD{i}"
        done = "01 10:00" if i < 25 else "01 15:00"
        events += [opened("01 09:00", ticket=ticket),
                   event(2, done, "resolved", ticket, status="Resolved")]
    send(*events, now=at("02 09:00"))


@pytest.fixture
def risky_world(db, slm):
    world = build_world(slm, steps=[{"threshold": 75, "level": "L1"},
                                    {"threshold_kind": "at_risk", "threshold": 0,
                                     "level": "L2"}])
    history()
    return world


def test_the_prediction_of_a_running_clock_is_shown_in_the_api(risky_world, api, analyst,
                                                               customer_user):
    send(opened("03 09:00"), now=at("03 09:00"))
    clock = clock_of()

    found = api(analyst).get(f"/api/v1/predictions/{clock.pk}?at=2025-03-03T09:30:00Z")

    assert found.status_code == 200, found.content
    body = found.json()
    # At 12.5 % used all 50 similar tickets count; half of them breached.
    assert body["cohort"] == "target" and body["sample_size"] == 50
    assert body["percent"] == 12.5 and body["probability"] == 0.5 and not body["at_risk"]
    later = api(analyst).get(f"/api/v1/predictions/{clock.pk}?at=2025-03-03T10:30:00Z").json()
    assert later["probability"] == 1.0 and later["sample_size"] == 25 and later["at_risk"]
    naive = api(analyst).get(f"/api/v1/predictions/{clock.pk}?at=2025-03-03T10:30:00")
    assert naive.status_code == 422
    assert api(customer_user).get(f"/api/v1/predictions/{clock.pk}").status_code == 403
    assert api(analyst).get("/api/v1/predictions/999999").status_code == 404
    listed = api(analyst).get("/api/v1/at-risk").json()
    assert listed["count"] == len(listed["items"])


def test_an_at_risk_step_fires_before_the_fixed_thresholds(risky_world):
    send(opened("03 09:00"), now=at("03 09:00"))
    # The worker first looks at the clock at its first warning (50 %, 11:00). Past 25 %
    # used, only the tickets that went on to breach were still open: it is at risk.
    fire_due(at("03 11:00"))
    assert list(Escalation.objects.values_list("level", flat=True)) == ["L2"]
    assert clock_of().next_event_at == at("03 12:00")  # the 75 % step
    fire_due(at("03 12:00"))
    assert sorted(Escalation.objects.values_list("level", flat=True)) == ["L1", "L2"]
