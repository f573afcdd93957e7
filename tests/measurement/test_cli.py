"""`accord import ...`: the management command behind the console script."""

import importlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accord.catalogue.models import Service
from accord.measurement.models import Ticket

DATA = Path(__file__).parent / "data"
ProgressBar = importlib.import_module("accord.measurement.management.commands.import").ProgressBar

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_prints_one_object_with_the_counts():
    out, _ = run("events", DATA / "bpi_incidents_sample.xes", "--create-missing", "--json")

    summary = json.loads(out)
    assert (summary["stored"], summary["duplicates"], summary["rejected"]) == (10, 0, 0)
    assert summary["format"] == "bpi2013-incidents" and summary["errors"] == []
    assert Ticket.objects.count() == 2


def test_the_summary_shows_counts_and_the_first_rejected_rows():
    out, _ = run("events", DATA / "normalized_sample.csv", "--create-missing")

    assert "stored               3" in out
    assert "rejected             2" in out
    assert "line 4: timestamp: naive datetime" in out
    assert "line 6: kind: unknown kind 'exploded'" in out


def test_importing_again_reports_only_duplicates():
    run("events", DATA / "servicenow_sample.csv", "--tz", "UTC", "--create-missing")

    out, _ = run("events", DATA / "servicenow_sample.csv", "--tz", "UTC", "--json")

    summary = json.loads(out)
    assert (summary["stored"], summary["duplicates"], summary["rejected"]) == (0, 9, 1)


def test_limit_and_source_options():
    out, _ = run("events", DATA / "servicenow_sample.csv", "--tz", "UTC", "--create-missing",
                 "--limit", "1", "--source", "snow", "--format", "servicenow", "--json")

    assert json.loads(out)["tickets"] == 1
    assert list(Ticket.objects.values_list("source", "ticket_id")) == [("snow", "INC1")]


def test_unusable_input_is_an_error_not_a_report(tmp_path):
    with pytest.raises(CommandError, match="--tz"):
        run("events", DATA / "servicenow_sample.csv")
    with pytest.raises(CommandError, match="unknown time zone|not a known IANA"):
        run("events", DATA / "servicenow_sample.csv", "--tz", "Mars/Olympus")
    with pytest.raises(CommandError, match="--format"):
        (tmp_path / "odd.csv").write_text("a,b\n1,2\n")
        run("events", tmp_path / "odd.csv")
    with pytest.raises(CommandError, match="cannot read"):
        run("events", tmp_path / "missing.csv", "--format", "normalized")
    assert not Ticket.objects.exists()


def test_the_exit_status_is_non_zero_only_for_unusable_input(tmp_path):
    env = {**os.environ, "ACCORD_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE":
           "accord.settings"}
    command = [sys.executable, "-m", "django", "import", "--skip-checks", "events",
               str(DATA / "servicenow_sample.csv")]

    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)

    assert done.returncode == 1
    assert "--tz" in done.stderr and done.stdout == ""


def test_outages_and_maintenance_subcommands(tmp_path):
    Service.objects.create(name="Web Shop")
    outages = tmp_path / "outages.csv"
    outages.write_text("service,start,end,impact\nWeb Shop,2025-03-01T10:00Z,"
                       "2025-03-01T11:00Z,1\nNope,2025-03-01T10:00Z,,1\n")
    windows = tmp_path / "windows.csv"
    windows.write_text("service,start,end\nWeb Shop,2025-03-02T22:00Z,2025-03-03T02:00Z\n")

    out, _ = run("outages", outages, "--json")
    text, _ = run("maintenance", windows)

    assert {k: json.loads(out)[k] for k in ("stored", "duplicates", "rejected")} == {
        "stored": 1, "duplicates": 0, "rejected": 1}
    assert "stored               1" in text


def test_the_progress_bar_is_drawn_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    class Summary:
        rows, stored, duplicates, rejected = 5000, 4990, 0, 10

    shown, hidden = Terminal(), io.StringIO()
    for stream in (shown, hidden):
        bar = ProgressBar(stream, "importing servicenow")
        bar.update(Summary, 0.5)
        bar.done()

    assert "[###############---------------]  50%" in shown.getvalue()
    assert "4,990 stored" in shown.getvalue()
    assert hidden.getvalue() == ""
