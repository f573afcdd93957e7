"""The service report document from real stored clocks: the trend charts' counts agree with
the compliance function period by period."""

from datetime import UTC, datetime

from accord.measurement.services import ingest_events
from accord.reporting import service_report
from accord.reporting.compliance import compliance_report
from accord.reporting.document import key_of, merged_percent, trailing
from accord.reporting.periods import Period
from tests.conftest import NOW
from tests.measurement.clock_world import event, opened, world_fixture  # noqa: F401


def story():
    """P1 (4 h): January met, February one met and one breached, March breached."""
    ingest_events([
        opened(at="2025-01-10T09:00", ticket="J1"),
        event(2, "2025-01-10T10:00", "resolved", ticket="J1", status="Resolved"),
        opened(at="2025-02-10T09:00", ticket="F1"),
        event(2, "2025-02-10T10:00", "resolved", ticket="F1", status="Resolved"),
        opened(at="2025-02-11T09:00", ticket="F2"),
        event(2, "2025-02-11T19:00", "resolved", ticket="F2", status="Resolved"),
        opened(at="2025-03-03T09:00", ticket="M1"),
        event(2, "2025-03-03T19:00", "resolved", ticket="M1", status="Resolved"),
    ], now=NOW)


def test_the_trend_counts_agree_with_the_compliance_function(world):
    story()
    sla = world["sla"]
    march = Period.parse("2025-03", tz=sla.reporting_zone)
    periods = trailing(march, 12)

    light = dict(service_report.counts_trend(sla, march, NOW))
    for period in periods:
        full = compliance_report(sla, period, now=NOW)
        by_key = {}
        for row in full["targets"]:
            by_key.setdefault(key_of(row), []).append(row)
        counted = {}
        for row in light[period]["targets"]:
            counted.setdefault(key_of(row), []).append(row)
        for key, rows in by_key.items():
            assert merged_percent(counted.get(key, [])) == merged_percent(rows), (period, key)


def test_the_document_charts_twelve_months_with_gaps(world):
    story()
    sla = world["sla"]

    doc = service_report.build(sla, Period.parse("2025-03"), NOW)

    p1 = next(c for c in doc["trend_charts"] if "P1" in c["name"])
    values = {p.label: p.value for p in p1["points"]}
    assert (values["2025-01"], values["2025-02"], values["2025-03"]) == (100.0, 50.0, 0.0)
    assert values["2024-12"] is None
    assert doc["summary"]["missed"] == 1 and doc["summary"]["breaches"] == 1
    assert [b["ticket"] for b in doc["breaches"]] == ["M1"]


def test_the_workbook_carries_each_kpis_twelve_months(world):
    story()
    sla = world["sla"]

    doc = service_report.build(sla, Period.parse("2025-03"), NOW, kpi_trend=True)

    missed = next(k for k in doc["kpis"] if k["key"] == "objectives_missed")
    history = dict(missed["history"])
    assert (history["2025-01"], history["2025-02"], history["2025-03"]) == (0, 1, 1)


def test_a_quarter_report_trends_over_quarters(world):
    story()
    doc = service_report.build(world["sla"], Period.parse("2025-Q1"), NOW)

    assert doc["trend_labels"][-2:] == ["2024-Q4", "2025-Q1"]
    assert doc["period"]["title"] == "Q1 2025"
    p1 = next(c for c in doc["trend_charts"] if "P1" in c["name"])
    assert p1["points"][-1].value == 50.0  # 2 met of 4 in the quarter


def test_the_report_is_read_in_the_reporting_zone(world):
    # 23:30 UTC on 31 January is 1 February in Berlin: M1-like breach moves to February.
    sla = world["sla"]
    type(sla).objects.filter(pk=sla.pk).update(reporting_time_zone="Europe/Berlin")
    sla.refresh_from_db()
    ingest_events([opened(at="2025-01-31T19:30", ticket="Z1"),
                   event(2, "2025-02-01T05:00", "resolved", ticket="Z1", status="Resolved")],
                  now=NOW)

    january = service_report.build(sla, Period.parse("2025-01"), NOW)
    february = service_report.build(sla, Period.parse("2025-02"), NOW)

    # Breached at 23:30 UTC on 31 January = 00:30 on 1 February in Berlin.
    assert january["breaches"] == []
    assert [b["ticket"] for b in february["breaches"]] == ["Z1"]
    assert february["period"]["time_zone"] == "Europe/Berlin"
    assert datetime(2025, 2, 1, tzinfo=UTC) > february["period"]["start"]

