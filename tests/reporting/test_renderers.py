"""The service report's renderers on a hand-written compliance report: each format shows the
same figures, read back from the real file (PDF text, XLSX cells)."""

from datetime import UTC, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from accord.reporting.document import assemble, trailing
from accord.reporting.periods import Period
from accord.reporting.render_html import render_html
from accord.reporting.render_pdf import render_pdf
from accord.reporting.render_xlsx import render_xlsx

from .sample_report import sample_report

NOW = datetime(2025, 4, 2, 7, 30, tzinfo=UTC)
MARCH = Period.parse("2025-03", tz="Europe/Berlin")


def _trend(report):
    """Eleven earlier months: the P1 resolution target at 90 % in each, none in 2024-06."""
    periods = []
    for label in trailing(MARCH, 12)[:-1]:
        earlier = sample_report()
        if label.label == "2024-06":
            earlier = None
        periods.append((label, earlier))
    return [*periods, (MARCH, report)]


def make_doc(report=None):
    report = report or sample_report()
    return assemble(
        report, period=MARCH, now=NOW,
        header={"reference": "SLA-0001", "name": "Web Shop Gold", "kind": "sla",
                "provider": "EcoShop IT", "counterparty_role": "Customer",
                "counterparty": "Retail Division", "services": ["Web Shop", "Payments"]},
        trend=_trend(report),
        breaches=[
            {"ticket": "INC-1001", "target_name": "P1 resolution", "metric": "resolution",
             "priority": "P1", "breached_at": "2025-03-31T21:30:00+00:00",
             "over_seconds": 5400.0, "level": "L2", "decision": "Vendor patch applied",
             "decided_by": "sarah"},
            {"ticket": "INC-1002", "target_name": "P1 resolution", "metric": "resolution",
             "priority": "P1", "breached_at": "2025-03-03T09:00:00+00:00",
             "over_seconds": 1800.0, "level": None, "decision": None, "decided_by": None},
        ],
    )


def test_it_counts_objectives_met_missed_and_without_data():
    doc = make_doc()
    # Rows: P1 v2 90 % < 95 (missed), P2 100 % (met), P1 v3 100 % (met), P3 no clocks.
    assert doc["summary"]["met"] == 2
    assert doc["summary"]["missed"] == 1
    assert doc["summary"]["no_data"] == 1
    assert doc["summary"]["breaches"] == 2
    assert [r["light"] for r in doc["targets"]] == ["missed", "met", "met", "no_data"]


def test_it_merges_versions_of_one_target_in_the_trend():
    doc = make_doc()
    p1 = next(c for c in doc["trend_charts"] if c["name"] == "P1 resolution")
    # March: v2 18 met + 2 breached, v3 4 met -> 22 / 24 = 91.67 %.
    assert p1["points"][-1].value == pytest.approx(91.67)
    # 2024-06 had no report: a gap, not 0 or 100.
    assert dict((p.label, p.value) for p in p1["points"])["2024-06"] is None
    assert len(p1["points"]) == 12


def test_it_writes_html_with_accessible_charts_and_the_words():
    html = render_html(make_doc())
    assert "SLA-0001 Web Shop Gold" in html
    assert "missed its objective" in html and "breaches (clocks over target)" in html
    assert "<title id=" in html and "<desc id=" in html
    assert "<script" not in html
    assert "Europe/Berlin" in html
    # The period start is shown in the reporting zone, not UTC.
    assert "1 Mar 2025 00:00" in html


def test_it_writes_a_pdf_with_the_figures():
    pdf = render_pdf(make_doc())
    reader = PdfReader(BytesIO(pdf))
    # Words wrap inside table cells: compare with whitespace collapsed.
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "SLA-0001" in text
    assert "MARCH 2025" in text.upper()
    assert "90.00 %" in text  # the P1 v2 row's compliance
    assert "INC-1001" in text and "Vendor patch applied" in text
    assert "missed its objective" in text
    assert "250.00" in text
    assert reader.metadata.title == "SLA-0001 service report 2025-03"


def test_it_writes_a_workbook_of_real_numbers_and_zone_named_dates():
    book = load_workbook(BytesIO(render_xlsx(make_doc())))
    assert book.sheetnames == ["Summary", "Targets", "Trend", "Availability", "Breaches",
                               "Attribution", "KPIs", "Notes"]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["Time zone"] == "Europe/Berlin"
    assert summary["Period start"] == datetime(2025, 3, 1, 0, 0)  # naive, Berlin wall time
    assert summary["Objectives missed"] == 1
    assert summary["Credits due"] == 250
    targets = list(book["Targets"].iter_rows(values_only=True))
    assert targets[1][13] == 90.0 and not isinstance(targets[1][13], str)
    assert targets[1][15] == "missed its objective"
    assert targets[4][13] is None  # no data stays empty, never 100
    breaches = list(book["Breaches"].iter_rows(values_only=True))
    assert breaches[0][4] == "Breached at (Europe/Berlin)"
    # 21:30 UTC on 31 March is 23:30 in Berlin (summer time began on the 30th).
    assert breaches[1][4] == datetime(2025, 3, 31, 23, 30)
    assert breaches[1][5] == 1.5
    kpis = {row[1]: row[2:] for row in book["KPIs"].iter_rows(min_row=2, values_only=True)}
    assert kpis["objectives_missed"][-1] == 1
    assert kpis["breaches_by_priority.P1"][-1] == 2
    assert kpis["objectives_missed"][2] is None  # 2024-06: no report that month


def test_it_names_the_experience_measures_that_have_data():
    report = sample_report()
    report["kpis"]["experience"] = {"csat_average": 4.25, "csat_satisfied_percent": 80.0,
                                    "nps": None, "complaints_per_100_tickets": 0.0}
    experience = next(k for k in make_doc(report)["kpis"] if k["key"] == "experience")
    # Named as people read them; measures without data left out, never "None".
    assert experience["shown"] == ("CSAT average (1-5): 4.25; Satisfied % (CSAT 4 or 5 of 5): "
                                   "80; Complaints per 100 tickets: 0")
    report["kpis"]["experience"] = {"csat_average": None, "nps": None}
    experience = next(k for k in make_doc(report)["kpis"] if k["key"] == "experience")
    assert experience["shown"] == "not measured"


def test_it_never_breaks_a_pdf_table_header_inside_a_word():
    reader = PdfReader(BytesIO(render_pdf(make_doc())))
    tokens = " ".join(page.extract_text() for page in reader.pages).split()
    headings = set("Target Version Priority Objective Met Breached Excluded Open Compliance "
                   "Outcome Credit due (EUR) Ticket Breached at Business time over Escalation "
                   "reached Recorded decision Party Kind Business time held Share Service "
                   "Measured Downtime Outages Indicator This period".split())
    # A cramped column once printed "Versi on" and "Priorit y": two pieces of one word.
    pairs = zip(tokens, tokens[1:], strict=False)
    assert [f"{a} {b}" for a, b in pairs if a + b in headings] == []
    assert headings - {"Version"} <= set(tokens)
