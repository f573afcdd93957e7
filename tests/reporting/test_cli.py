"""`accord report`: the JSON of the API, CSV, default file names, --all, clear errors."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from .conftest import clock

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("report", *map(str, args), stdout=out)
    return out.getvalue()


def test_json_is_the_apis(world, reader, api, tmp_path, monkeypatch):
    clock(world["p1"], "met", datetime(2025, 3, 3, tzinfo=UTC),
          stopped=datetime(2025, 3, 3, 1, tzinfo=UTC))
    sla = world["sla"]
    monkeypatch.chdir(tmp_path)

    run("--agreement", sla.reference, "--month", "2025-03", "--format", "json")

    written = json.loads((tmp_path / f"{sla.reference}-2025-03.json").read_text())
    served = api(reader).get(f"reports/compliance?agreement={sla.reference}&month=2025-03").data
    written.pop("as_of"), served.pop("as_of")
    written["kpis"].pop("open_at_risk"), served["kpis"].pop("open_at_risk")
    assert written == served
    assert written["targets"][0]["met"] == 1


def test_csv_to_a_named_file_with_quarter_and_year(world, tmp_path):
    out = tmp_path / "q1.csv"
    run("--agreement", world["sla"].pk, "--quarter", "2025-Q1", "--format", "csv",
        "--output", out)
    rows = list(csv.reader(out.read_text().splitlines()))
    assert rows[1][1] == world["sla"].reference
    header = rows[rows.index(["targets"]) + 1]
    assert header[:3] == ["agreement", "version", "target"]

    folder = tmp_path / "all"
    printed = run("--all", "--year", "2025", "--format", "csv", "--output", folder)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"{world[k].reference}-2025.csv" for k in ("sla", "ola", "uc"))
    assert world["uc"].reference in printed


@pytest.mark.parametrize("args,message", [
    (["--agreement", "SLA-9999", "--month", "2025-03", "--format", "json"], "no agreement"),
    (["--agreement", "SLA", "--month", "2025-13", "--format", "json"], "--month"),
    (["--month", "2025-03", "--format", "json"], "--agreement"),
    (["--agreement", "SLA", "--month", "2025-03", "--format", "pdf"], "not available"),
])
def test_it_refuses_bad_input_clearly(world, args, message, tmp_path, monkeypatch):
    args = [world["sla"].reference if a == "SLA" else a for a in args]
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert list(tmp_path.iterdir()) == []
