"""`accord <command>` on a fresh install (no migrations applied): the command applies them
first on the embedded database, or says exactly what to run; never a `no such table`
traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent / "measurement" / "data" / "normalized_sample.csv"


def accord(data_dir, *args):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # embedded SQLite
    env.update(ACCORD_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="accord.settings")
    return subprocess.run([sys.executable, "-c", "from accord.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_import_on_a_fresh_install_migrates_first_and_imports(tmp_path):
    done = accord(tmp_path, "import", "events", str(SAMPLE), "--create-missing")

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "no such table" not in done.stderr
    assert "applying" in done.stderr and "migrations first" in done.stderr
    assert "stored               3" in done.stdout
    # Once migrated, nothing more to apply: no message the second time.
    again = accord(tmp_path, "import", "events", str(SAMPLE))
    assert again.returncode == 0 and again.stderr == ""
    assert "duplicates           3" in again.stdout


def test_the_worker_on_a_fresh_install_migrates_first(tmp_path):
    done = accord(tmp_path, "worker", "--once")

    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "migrations first" in done.stderr


@pytest.mark.parametrize("args", [
    ("import", "events", "x.csv"), ("recompute",), ("worker", "--once"),
    ("createuser", "newbie"), ("token", "list"), ("check",), ("report",),
])
def test_every_command_needing_the_schema_ensures_it_first(monkeypatch, args):
    from django.core import management

    from accord import cli
    from accord.lib import schema

    calls = []
    monkeypatch.setattr(schema, "ensure_schema", lambda command, err: calls.append(command))
    monkeypatch.setattr(management, "execute_from_command_line",
                        lambda argv: calls.append("ran"))

    cli.main(list(args))

    assert calls == [args[0], "ran"]


@pytest.mark.parametrize("args", [("migrate",), ("import", "--help"), ("shell", "-c", "1")])
def test_commands_that_do_not_need_it_run_as_they_are(monkeypatch, args):
    from django.core import management

    from accord import cli
    from accord.lib import schema

    calls = []
    monkeypatch.setattr(schema, "ensure_schema", lambda command, err: calls.append(command))
    monkeypatch.setattr(management, "execute_from_command_line",
                        lambda argv: calls.append("ran"))

    cli.main(list(args))

    assert calls == ["ran"]


def test_check_changes_nothing_and_says_what_to_run(tmp_path):
    done = accord(tmp_path, "check")

    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "Run `accord migrate` once" in done.stderr
    assert "then run `accord check` again" in done.stderr


def test_a_shared_database_is_not_migrated_behind_the_operators_back(db, monkeypatch):
    from django.db import connection

    from accord.lib import schema

    monkeypatch.setattr(schema, "pending_migrations", lambda: ["measurement.0009_new"])
    monkeypatch.setattr(connection, "vendor", "postgresql")
    migrated = []
    monkeypatch.setattr(schema, "call_command", lambda *a, **k: migrated.append(a))

    with pytest.raises(schema.SchemaMissing) as raised:
        schema.ensure_schema("import", sys.stderr)

    assert "lacks 1 migrations (first: measurement.0009_new)" in str(raised.value)
    assert "Run `accord migrate` once" in str(raised.value)
    assert "then run `accord import` again" in str(raised.value)
    assert migrated == []


def test_an_unreachable_database_is_a_message_not_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none",
               DJANGO_SETTINGS_MODULE="accord.settings")
    done = subprocess.run([sys.executable, "-c", "from accord.cli import main; main()",
                           "import", "events", str(SAMPLE)],
                          capture_output=True, text=True, env=env, timeout=120)

    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "cannot reach the database" in done.stderr and "DATABASE_URL" in done.stderr
