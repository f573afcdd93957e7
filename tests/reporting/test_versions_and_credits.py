"""Which versions a report shows (the version in force, as agreements decide it) and when
``credits_total`` is "0.00" rather than null (see conftest for the world)."""

from datetime import UTC, datetime

import pytest

from accord.agreements import versions
from accord.reporting.compliance import compliance_report
from accord.reporting.trend import compliance_trend
from tests.conftest import NOW

from .conftest import AFTER, HOUR, add_target, clock, sign

pytestmark = pytest.mark.django_db

# 15 March 2025, 00:00 in Tokyo: version 2 of Acme's SLA takes effect.
V2_FROM = datetime(2025, 3, 14, 15, tzinfo=UTC)
MAY = datetime(2025, 5, 10, tzinfo=UTC)


def second_version(world, slm):
    sla = world["sla"]
    v2 = versions.new_draft_version(sla, by=slm, now=NOW, effective_from=V2_FROM,
                                    change_summary="P1 resolution in 2 hours")
    p1 = v2.targets.get(priority="P1")
    versions.update_target(p1, by=slm, now=NOW, duration_seconds=2 * HOUR)
    sign(v2, slm)
    sla.refresh_from_db()
    return sla, v2


def test_a_superseded_version_has_no_rows_after_the_next_version_took_effect(world, slm):
    sla, v2 = second_version(world, slm)
    v1 = sla.versions.get(number=1)
    assert v1.effective_to is None  # superseded, but its own end date stays empty
    # The agreements app: v2 is in force from 15 March on.
    assert sla.version_in_force(datetime(2025, 4, 10, tzinfo=UTC)).number == 2

    april = compliance_report(sla, "2025-04", now=MAY)
    assert april["versions"] == [2]
    assert {r["version"] for r in april["targets"]} == {2}

    # March has both: v1 until the 15th, v2 after.
    march = compliance_report(sla, "2025-03", now=MAY)
    assert march["versions"] == [1, 2]
    assert sorted(r["version"] for r in march["targets"]) == [1, 1, 2, 2]

    trend = compliance_trend(sla, "2025-04", now=MAY, count=3)
    in_force = {s["version"]: [p["in_force"] for p in s["points"]] for s in trend["series"]}
    assert in_force[1] == [True, True, False]  # February, March, not April
    assert in_force[2] == [False, True, True]


def test_a_clock_of_the_superseded_version_still_counts_after_it(world, slm):
    # A clock measured under v1 (its ticket came in before v2) that breaches in April keeps
    # its v1 row: counted clocks always have a row.
    sla, _ = second_version(world, slm)
    clock(world["p1"], "breached", datetime(2025, 3, 31, 20, tzinfo=UTC),
          breached=datetime(2025, 4, 1, 2, tzinfo=UTC))
    april = compliance_report(sla, "2025-04", now=MAY)
    (row,) = [r for r in april["targets"] if r["version"] == 1]
    assert (row["target"], row["breached"]) == (world["p1"].pk, 1)


def test_credits_total_is_zero_when_credits_are_configured_but_none_are_due(world):
    # A met month: P1 credits per missed objective, P2 per breach; nothing is due.
    clock(world["p1"], "met", datetime(2025, 3, 10, tzinfo=UTC),
          stopped=datetime(2025, 3, 10, 1, tzinfo=UTC))
    report = compliance_report(world["sla"], "2025-03", now=AFTER)
    assert [r["credit_due"] for r in report["targets"]] == ["0.00", "0.00"]
    assert (report["credits_total"], report["credits_uncapped"]) == ("0.00", "0.00")


def test_credits_total_is_zero_when_a_credit_is_judged_over_a_longer_period(world, slm):
    # An agreement whose only credit is earned per missed quarterly objective: in a month
    # report no credit is judged yet, but one can be earned, so the total is 0.00, not null.
    from accord.agreements import services

    sla = services.create_agreement(
        by=slm, now=NOW, name="Quarterly", kind="sla", structure="customer_based",
        customer=world["acme"], services=[world["shop"]],
        effective_from=datetime(2025, 1, 1, tzinfo=UTC),
        monthly_charge="1000.00", currency="EUR")
    add_target(sla, slm, duration_seconds=4 * HOUR, objective_percent="90", period="quarter",
               credit_amount="50.00", credit_currency="EUR")
    sign(sla.latest_version(), slm)
    sla.refresh_from_db()

    month = compliance_report(sla, "2025-03", now=AFTER)
    assert month["targets"][0]["credit_due"] is None
    assert "quarter" in month["targets"][0]["credit_note"]
    assert (month["credits_total"], month["credits_uncapped"]) == ("0.00", "0.00")


def test_credits_total_is_null_when_no_target_can_earn_a_credit(world):
    # An OLA carries none.
    report = compliance_report(world["ola"], "2025-03", now=AFTER)
    assert (report["credits_total"], report["credits_uncapped"]) == (None, None)
