"""Period compliance against hand-computed figures (see conftest for the world)."""

from datetime import UTC, datetime, timedelta

import pytest

from accord.agreements import services
from accord.reporting.compliance import compliance_report
from tests.conftest import NOW

from .conftest import AFTER, HOUR, clock

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def row(report, target):
    (found,) = [r for r in report["targets"] if r["target"] == target.pk]
    return found


def test_it_counts_clocks_in_the_reporting_zones_month(world):
    p1 = world["p1"]
    # Tokyo's March is [02-28T15:00Z, 03-31T15:00Z).
    clock(p1, "met", at("2025-02-28T13:00"), stopped=at("2025-02-28T16:00"))  # 1 Mar JST
    clock(p1, "met", at("2025-03-31T13:00"), stopped=at("2025-03-31T16:00"))  # 1 Apr JST
    clock(p1, "breached", at("2025-02-28T09:00"), breached=at("2025-02-28T14:00"))  # 28 Feb
    clock(p1, "breached", at("2025-03-31T09:00"), breached=at("2025-03-31T14:59"))  # 31 Mar

    report = compliance_report(world["sla"], "2025-03", now=AFTER)

    assert report["period"] == {"start": "2025-03-01T00:00:00+09:00",
                                "end": "2025-04-01T00:00:00+09:00",
                                "time_zone": "Asia/Tokyo"}
    assert (report["period_label"], report["period_kind"]) == ("2025-03", "month")
    r = row(report, p1)
    # The clock met on 1 April (JST) was still open when March ended.
    assert (r["met"], r["breached"], r["open"]) == (1, 1, 1)
    assert r["compliance_percent"] == 50.0
    assert r["objective_met"] is False
    assert r["shortfall"] == 1  # 90 % of 2 clocks is 1.8: 2 had to be met
    assert r["credit_due"] == "100.00"  # one missed objective

    # The same clocks read in UTC months: the other two count in March.
    services.update_agreement(world["sla"], by=None, now=NOW, reporting_time_zone="UTC")
    world["sla"].refresh_from_db()
    utc = row(compliance_report(world["sla"], "2025-03", now=AFTER), p1)
    assert (utc["met"], utc["breached"]) == (1, 1)
    assert utc["compliance_percent"] == 50.0
    feb = row(compliance_report(world["sla"], "2025-02", now=AFTER), p1)
    assert (feb["met"], feb["breached"]) == (1, 1)  # 02-28T16:00Z met, 02-28T14:00Z breached
    services.update_agreement(world["sla"], by=None, now=NOW, reporting_time_zone="")
    world["sla"].refresh_from_db()
    tokyo_feb = row(compliance_report(world["sla"], "2025-02", now=AFTER), p1)
    assert (tokyo_feb["met"], tokyo_feb["breached"]) == (0, 1)


def test_a_target_exactly_on_its_objective_meets_it(world):
    p1 = world["p1"]
    for day in range(2, 11):
        start = at(f"2025-03-{day:02d}T00:00")
        clock(p1, "met", start, stopped=start + timedelta(hours=1))
    clock(p1, "breached", at("2025-03-20T00:00"))

    r = row(compliance_report(world["sla"], "2025-03", now=AFTER), p1)

    assert (r["met"], r["breached"]) == (9, 1)
    assert r["compliance_percent"] == 90.0
    assert r["compliance_percent_raw"] == 90.0
    assert r["objective_met"] is True
    assert r["shortfall"] == 0
    assert r["credit_due"] == "0.00"


def test_no_data_is_null_never_100(world):
    report = compliance_report(world["sla"], "2025-03", now=AFTER)

    r = row(report, world["p1"])
    assert (r["met"], r["breached"], r["open"]) == (0, 0, 0)
    assert r["compliance_percent"] is None
    assert r["compliance_percent_raw"] is None
    assert r["objective_met"] is None
    assert r["key"] == {"metric": "resolution", "service": None, "type": None, "priority": "P1"}
    assert report["kpis"]["targets_met_percent"] is None


def test_a_running_clock_past_due_with_a_stale_row_counts_as_breached_at_due(world):
    p1 = world["p1"]
    # Stored at 01:00, due at 04:00; nobody recomputed it since.
    clock(p1, "running", at("2025-03-10T00:00"), computed=at("2025-03-10T01:00"))

    r = row(compliance_report(world["sla"], "2025-03", now=AFTER), p1)
    assert (r["met"], r["breached"], r["open"]) == (0, 1, 0)

    # As of 03:00 the same row is still open: its outcome is not yet certain.
    early = row(compliance_report(world["sla"], "2025-03", now=at("2025-03-10T03:00")), p1)
    assert (early["met"], early["breached"], early["open"]) == (0, 0, 1)


def test_a_cancelled_clock_never_counts(world):
    p1 = world["p1"]
    clock(p1, "cancelled", at("2025-03-10T00:00"), stopped=at("2025-03-10T02:00"))
    clock(p1, "cancelled", at("2025-03-30T00:00"))

    r = row(compliance_report(world["sla"], "2025-03", now=AFTER), p1)
    assert (r["met"], r["breached"], r["open"], r["ended"]) == (0, 0, 0, 0)


def test_a_clock_open_at_period_end_is_open_then_counted_later(world):
    p1 = world["p1"]
    clock(p1, "met", at("2025-03-31T12:00"), stopped=at("2025-03-31T15:30"))  # 1 Apr JST
    clock(p1, "paused", at("2025-03-30T00:00"), computed=AFTER)
    clock(p1, "ended", at("2025-03-05T00:00"), stopped=at("2025-03-06T00:00"))

    march = row(compliance_report(world["sla"], "2025-03", now=AFTER), p1)
    april = row(compliance_report(world["sla"], "2025-04", now=AFTER), p1)

    assert (march["met"], march["open"], march["ended"]) == (0, 2, 1)
    assert march["compliance_percent"] is None  # an ended clock is counted apart
    assert (april["met"], april["open"]) == (1, 1)


def test_a_clock_that_breached_before_its_agreement_ended_counts_as_a_breach(world):
    p1 = world["p1"]
    # Breached on 21 March (JST); its agreement ended on 2 April, which closed it as ended.
    clock(p1, "ended", at("2025-03-20T00:00"), breached=at("2025-03-21T00:00"),
          stopped=at("2025-04-02T00:00"))

    march = row(compliance_report(world["sla"], "2025-03", now=AFTER), p1)
    april = row(compliance_report(world["sla"], "2025-04", now=AFTER), p1)

    assert (march["breached"], march["ended"], march["compliance_percent"]) == (1, 0, 0.0)
    assert (april["breached"], april["ended"], april["open"]) == (0, 0, 0)


def test_an_ola_caused_breach_is_attributed_to_the_team(world):
    p1 = world["p1"]
    clock(p1, "breached", at("2025-03-10T00:00"), stopped=at("2025-03-10T06:00"),
          attribution={"team Second Line": 3 * HOUR, "team Service Desk": 0.5 * HOUR,
                       "unassigned": 600.0})
    clock(p1, "breached", at("2025-03-11T00:00"), attribution={})
    clock(p1, "met", at("2025-03-12T00:00"), stopped=at("2025-03-12T01:00"),
          attribution={"supplier Vendor Co": 3600.0})  # met: not in the table

    report = compliance_report(world["sla"], "2025-03", now=AFTER)

    table = {r["holder"]: r for r in report["attribution"]}
    assert table["team Second Line"]["business_seconds"] == 3 * HOUR
    assert table["team Second Line"]["role"] == "team"
    assert table["team Second Line"]["breaches_mostly_held"] == 1
    assert table["team Service Desk"]["business_seconds"] == 1800
    assert table["unassigned"]["breaches_mostly_held"] == 1  # the breach nobody held
    assert "supplier Vendor Co" not in table
    assert report["kpis"]["breaches_by_party"] == {
        "internal": 1, "supplier": 0, "customer": 0, "unattributed": 1}
    assert row(report, p1)["attribution"]["team Second Line"] == 3 * HOUR


def test_credits_per_breach_and_per_missed_objective_are_capped(world):
    p1, p2 = world["p1"], world["p2"]
    clock(p1, "breached", at("2025-03-03T00:00"))  # P1: 0 of 1 met: objective missed
    for day in range(4, 8):  # P2: four breaches, 5 % of 1,000.00 each
        clock(p2, "breached", at(f"2025-03-{day:02d}T00:00"))

    report = compliance_report(world["sla"], "2025-03", now=AFTER)

    assert row(report, p1)["credit_due"] == "100.00"
    assert row(report, p2)["credit_due"] == "200.00"
    assert report["credits_uncapped"] == "300.00"
    assert report["credits_total"] == "150.00"  # 15 % of the monthly charge
    assert report["currency"] == "EUR"
    assert report["credit_direction"] == "owed_to_customer"


def test_a_quarter_counts_each_missed_monthly_objective(world):
    p1 = world["p1"]
    clock(p1, "breached", at("2025-01-10T00:00"))  # January missed
    clock(p1, "met", at("2025-02-10T00:00"), stopped=at("2025-02-10T01:00"))  # February met
    clock(p1, "breached", at("2025-03-10T00:00"))  # March missed

    report = compliance_report(world["sla"], "2025-Q1", now=AFTER)

    r = row(report, p1)
    assert (r["met"], r["breached"]) == (1, 2)
    assert r["objectives_missed"] == 2
    assert r["credit_due"] == "200.00"
    assert report["credits_total"] == "200.00"  # cap: 15 % of 3 months' charge = 450.00
    assert report["period"]["start"] == "2025-01-01T00:00:00+09:00"


def test_olas_carry_no_credit_and_ucs_are_owed_by_the_supplier(world):
    clock(world["ola_target"], "breached", at("2025-03-10T00:00"))
    ola = compliance_report(world["ola"], "2025-03", now=AFTER)
    (r,) = ola["targets"]
    assert r["breached"] == 1
    assert r["credit_due"] is None
    assert "OLA" in r["credit_note"]
    assert ola["credit_direction"] is None
    uc = compliance_report(world["uc"], "2025-03", now=AFTER)
    assert uc["credit_direction"] == "owed_by_supplier"


def test_rows_carry_the_version_and_the_agreement(world):
    report = compliance_report(world["sla"], "2025-03", now=AFTER)
    assert report["agreement"] == world["sla"].reference
    assert report["versions"] == [1]
    assert [r["version"] for r in report["targets"]] == [1, 1]
    assert set(report["kpis"]) == {
        "targets_met_percent", "objectives_missed", "breaches_by_priority",
        "breaches_by_metric", "breaches_by_party", "services_with_current_sla_percent",
        "agreements_review_overdue", "time_to_agree_days_median", "experience",
        "response_p50_seconds", "response_p90_seconds", "resolution_p50_seconds",
        "resolution_p90_seconds", "open_at_risk"}


def test_resolution_percentiles_are_percentile_cont(world):
    p1 = world["p1"]
    for i, hours in enumerate((1, 2, 3, 10)):
        start = at("2025-03-10T00:00") + timedelta(days=i)
        if hours <= 4:
            clock(p1, "met", start, stopped=start + timedelta(hours=hours))
        else:
            clock(p1, "breached", start, stopped=start + timedelta(hours=hours))

    kpis = compliance_report(world["sla"], "2025-03", now=AFTER)["kpis"]

    # Sorted 1h 2h 3h 10h: p50 at rank 1.5 = 2.5h; p90 at rank 2.7 = 3h + 0.7 × 7h = 7.9h.
    assert kpis["resolution_p50_seconds"] == pytest.approx(2.5 * HOUR)
    assert kpis["resolution_p90_seconds"] == pytest.approx(7.9 * HOUR)
    assert kpis["response_p50_seconds"] is None
    assert kpis["breaches_by_priority"] == {"P1": 1}
    assert kpis["breaches_by_metric"] == {"resolution": 1}


def test_the_trend_has_one_point_per_period(world):
    from accord.reporting.trend import compliance_trend, kpi_trend

    p1 = world["p1"]
    clock(p1, "breached", at("2025-01-10T00:00"))
    clock(p1, "met", at("2025-03-10T00:00"), stopped=at("2025-03-10T01:00"))

    trend = compliance_trend(world["sla"], "2025-03", now=AFTER, count=3)

    assert trend["periods"] == ["2025-01", "2025-02", "2025-03"]
    (series,) = [s for s in trend["series"] if s["target"] == p1.pk]
    assert [p["compliance_percent"] for p in series["points"]] == [0.0, None, 100.0]
    assert [p["objective_met"] for p in series["points"]] == [False, None, True]
    # The same figures as the monthly reports.
    for point in series["points"]:
        month = row(compliance_report(world["sla"], point["period"], now=AFTER), p1)
        assert point["compliance_percent"] == month["compliance_percent"]
    kpis = kpi_trend(world["sla"], "2025-03", now=AFTER, count=3)
    assert [(k["period"], k["kpis"]["objectives_missed"]) for k in kpis] == [
        ("2025-01", 1), ("2025-02", 0), ("2025-03", 0)]


def test_kpis_about_agreements(world, slm):
    from accord.catalogue.models import Service

    Service.objects.create(name="Payroll", status="live")  # not in this SLA: not counted
    march = compliance_report(world["sla"], "2025-03", now=AFTER)["kpis"]
    assert march["services_with_current_sla_percent"] == 100.0
    assert march["agreements_review_overdue"] == 0
    # Created and signed at NOW in these tests: no time passed between them.
    assert march["time_to_agree_days_median"] == 0.0
    assert march["open_at_risk"] is None  # March is over

    # Its version is due for review a year after 1 January 2025.
    later = compliance_report(world["sla"], "2026-02",
                              now=datetime(2026, 3, 10, tzinfo=UTC))["kpis"]
    assert later["agreements_review_overdue"] == 1
