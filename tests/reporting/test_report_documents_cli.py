"""``accord report --format pdf|xlsx|html`` writes the service report documents (``--all``:
the PDFs laid out on a pool of processes)."""

from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from accord.measurement.services import ingest_events
from tests.conftest import NOW
from tests.measurement.clock_world import event, opened, world_fixture  # noqa: F401


def test_it_writes_the_pdf_and_workbook_of_a_month(world, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ingest_events([opened(), event(2, "2025-03-03T19:00", "resolved", status="Resolved")],
                  now=NOW)
    sla = world["sla"]

    call_command("report", agreement=sla.reference, month="2025-03", format="pdf")
    call_command("report", agreement=sla.reference, month="2025-03", format="xlsx")

    pdf = (tmp_path / f"{sla.reference}-2025-03.pdf").read_bytes()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).split())
    assert sla.reference in text
    assert "INC1" in text  # the breach is listed
    assert "missed its objective" in text
    book = load_workbook(tmp_path / f"{sla.reference}-2025-03.xlsx")
    targets = {row[1]: row for row in book["Targets"].iter_rows(min_row=2, values_only=True)}
    p1 = next(row for name, row in targets.items() if "P1" in name)
    assert (p1[8], p1[9], p1[13]) == (0, 1, 0)  # met, breached, compliance %
    breaches = list(book["Breaches"].iter_rows(min_row=2, values_only=True))
    assert [b[0] for b in breaches] == ["INC1"]
    assert breaches[0][5] == 6.0  # 10 h used of 4 h


def test_it_lays_out_each_agreements_pdf_on_two_processes(world, tmp_path):
    ingest_events([opened(), event(2, "2025-03-03T19:00", "resolved", status="Resolved")],
                  now=NOW)
    out = StringIO()

    call_command("report", all=True, month="2025-03", format="pdf", output=str(tmp_path),
                 workers=2, stdout=out)

    # One file per agreement in force, each that agreement's report (the pool keeps order).
    agreements = [world["sla"], world["ola"], world["uc"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{a.reference}-2025-03.pdf" for a in agreements)
    for agreement in agreements:
        reader = PdfReader(tmp_path / f"{agreement.reference}-2025-03.pdf")
        assert reader.metadata.title == f"{agreement.reference} service report 2025-03"
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        assert f"{agreement.reference} {agreement.name}" in text
    sla_text = " ".join(p.extract_text() for p in PdfReader(
        tmp_path / f"{world['sla'].reference}-2025-03.pdf").pages)
    assert "INC1" in sla_text  # its breach, from this process's figures
    assert out.getvalue().count("2025-03:") == 3


def test_it_refuses_fewer_than_one_worker(world, tmp_path):
    with pytest.raises(CommandError, match="--workers"):
        call_command("report", all=True, month="2025-03", output=str(tmp_path), workers=0)
    assert list(tmp_path.iterdir()) == []
