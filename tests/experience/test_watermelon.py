"""The watermelon check, both ways: SLA green with users unhappy, and SLA red with users
happy; and satisfaction falling three periods in a row while the SLA stays green."""

from datetime import UTC, datetime, timedelta

import pytest

from accord.experience.services import ingest_feedback
from accord.reporting.compliance import compliance_report
from tests.reporting.conftest import AFTER, HOUR, clock

from .conftest import NOW, add_target, item, sign, xla


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def agreement(sla, slm):
    """P1 resolved in 4 h, objective 90 %; CSAT average at least 4 from 2 answers."""
    p1 = add_target(sla, slm, priority="P1", duration_seconds=4 * HOUR, objective_percent="90")
    xla(sla, slm, measure="csat_average", threshold="4", direction="at_least", min_responses=2)
    sign(sla.latest_version(), slm)
    p1.refresh_from_db()
    return sla, p1


def clocks(p1, met: int, breached: int, day="2025-03-10T01:00"):
    start = at(day)
    for n in range(met):
        clock(p1, "met", start + timedelta(hours=n), stopped=start + timedelta(hours=n, minutes=30))
    for n in range(breached):
        clock(p1, "breached", start + timedelta(hours=n))


def answers(*scores, day="2025-03-12T09:00", texts=()):
    texts = list(texts) + [""] * len(scores)
    items = [item(f"{day}-{n}", score=s, at=at(day) + timedelta(minutes=n), text=t)
             for n, (s, t) in enumerate(zip(scores, texts, strict=False))]
    assert ingest_feedback(items, now=NOW)["stored"] == len(items)


def test_sla_green_and_users_unhappy_is_a_watermelon(agreement):
    sla, p1 = agreement
    clocks(p1, met=10, breached=0)
    answers(2, 3, 5, texts=["Fixed, but I had to chase three times", "meh", "great"])
    report = compliance_report(sla, "2025-03", now=AFTER)
    (flag,) = report["watermelon"]
    assert (flag["kind"], flag["reason"], flag["agreement"], flag["period"]) == (
        "watermelon", "experience_missed", sla.reference, "2025-03")
    assert flag["scores"] == {"csat_average": 3.33}
    assert flag["experience_targets"][0]["objective_met"] is False
    assert all(r["objective_met"] for r in flag["sla_targets"])
    # The worst comment first; the respondent never appears.
    assert flag["worst_comments"][0]["text"] == "Fixed, but I had to chase three times"
    assert "respondent" not in flag["worst_comments"][0]


def test_sla_red_and_users_happy_is_shown_the_other_way(agreement):
    sla, p1 = agreement
    clocks(p1, met=8, breached=2)  # 80 % < 90 %: objective missed
    answers(5, 4, 5)
    (flag,) = compliance_report(sla, "2025-03", now=AFTER)["watermelon"]
    assert (flag["kind"], flag["reason"]) == ("reverse", "sla_missed_users_happy")
    assert flag["sla_targets"][0]["objective_met"] is False
    assert flag["experience_targets"][0]["value"] == 4.67


def test_no_flag_when_both_agree(agreement):
    sla, p1 = agreement
    clocks(p1, met=10, breached=0)
    answers(5, 4)
    assert compliance_report(sla, "2025-03", now=AFTER)["watermelon"] == []
    # Too few answers give no verdict, so no flag either.
    assert compliance_report(sla, "2025-02", now=AFTER)["watermelon"] == []


def test_satisfaction_falling_three_periods_while_sla_green(sla, slm):
    p1 = add_target(sla, slm, priority="P1", duration_seconds=4 * HOUR, objective_percent="90")
    sign(sla.latest_version(), slm)  # no experience target at all
    p1.refresh_from_db()
    clocks(p1, met=5, breached=0, day="2025-04-10T01:00")
    # Tokyo months: January 4.5, February 4.0, March 3.5, April 3.0.
    for day, scores in (("2025-01-15T03:00", (5, 4)), ("2025-02-15T03:00", (4, 4)),
                        ("2025-03-15T03:00", (4, 3)), ("2025-04-15T03:00", (3, 3))):
        answers(*scores, day=day)
    later = at("2025-05-10T00:00")
    (flag,) = compliance_report(sla, "2025-04", now=later)["watermelon"]
    assert (flag["kind"], flag["reason"]) == ("watermelon", "satisfaction_falling")
    assert flag["csat_trend"] == [4.5, 4.0, 3.5, 3.0]
    # Three values do not make three falls: nothing in March (no answers in December).
    clocks(p1, met=5, breached=0, day="2025-03-10T01:00")
    assert compliance_report(sla, "2025-03", now=later)["watermelon"] == []


def test_the_dashboard_query_gathers_flags_per_service(agreement, world):
    from accord.reporting.watermelons import watermelons

    sla, p1 = agreement
    sla.status = "active"
    sla.save()
    clocks(p1, met=10, breached=0)
    answers(1, 2)
    flags = watermelons(AFTER, period="2025-03", service=world["shop"])
    assert [(f["agreement"], f["kind"]) for f in flags] == [(sla.reference, "watermelon")]
    assert watermelons(AFTER, period="2025-02") == []
