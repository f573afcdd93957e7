"""Demo passwords never reach production (issue 14, finding 4): the demo refuses to load in
production unless asked, then prints random passwords once; `accord check` fails while any
account still has the demo password."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accord.accounts import services
from accord.accounts.checks import DEMO_PASSWORD
from accord.accounts.models import User


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_demo_refuses_to_run_in_production(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "ACCORD_ENV": "production", "SECRET_KEY": "x" * 50, "ACCORD_DATA_DIR": str(tmp_path)}

    result = subprocess.run([sys.executable, "-m", "accord.cli", "demo", "--no-serve"],
                            capture_output=True, text=True, env=env, timeout=120)

    assert result.returncode != 0
    assert "--allow-production" in result.stderr and "Traceback" not in result.stderr
    assert "loaded" not in result.stdout


def test_allowed_in_production_it_prints_random_passwords_once(db, settings):
    settings.PRODUCTION = True

    out = run("demo", "--no-serve", "--allow-production")

    assert DEMO_PASSWORD not in out
    admin = User.objects.get(username="admin")
    assert not admin.check_password(DEMO_PASSWORD)
    line = next(row for row in out.splitlines() if row.split()[:1] == ["admin"])
    password = line.split()[-1]
    assert admin.check_password(password)
    # Loading again does not print them again.
    again = run("demo", "--no-serve", "--allow-production")
    assert password not in again and "unchanged" in again


def test_allowed_in_production_it_replaces_a_demo_password_left_from_development(db, settings):
    services.create_user("sarah", role="service_level_manager", password=DEMO_PASSWORD)
    settings.PRODUCTION = True

    out = run("demo", "--no-serve", "--allow-production")

    sarah = User.objects.get(username="sarah")
    assert not sarah.check_password(DEMO_PASSWORD)
    assert any(row.split()[:1] == ["sarah"] and sarah.check_password(row.split()[-1])
               for row in out.splitlines())


def test_check_fails_naming_the_accounts_that_keep_a_demo_password(db):
    services.create_user("ada", role="administrator", password=DEMO_PASSWORD)
    services.create_user("bob", role="reader", password="something else entirely")
    services.create_user("nopass", role="reader")

    out = StringIO()
    with pytest.raises(CommandError, match="configuration check failed"):
        call_command("check", stdout=out)

    assert "demo password: ada" in out.getvalue() and "bob" not in out.getvalue()

    services.set_password(User.objects.get(username="ada"), "a new secret", by=None)
    assert "no account has a demo password" in run("check")
