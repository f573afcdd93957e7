"""The `accord` command's account, token and configuration subcommands."""

import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from accord.accounts.models import ApiToken, User
from accord.accounts.services import authenticate_token


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_createuser_prints_a_generated_password_once(db):
    out = run("createuser", "nina", "--role", "analyst")

    user = User.objects.get(username="nina")
    assert user.role == "analyst"
    password = out.split("Password: ")[1].strip()
    assert user.check_password(password)


def test_createuser_refuses_a_taken_name_naming_the_field(db):
    run("createuser", "nina", "--password", "x")
    with pytest.raises(CommandError, match="username"):
        run("createuser", "nina", "--password", "y")
    assert User.objects.filter(username="nina").count() == 1


def test_token_create_list_revoke(db):
    run("createuser", "nina", "--role", "reader", "--password", "x")

    created = run("token", "create", "nina", "--name", "grafana", "--scope", "read")
    raw = created.strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert authenticate_token(raw) == token
    listing = run("token", "list")
    assert "grafana" in listing and raw not in listing

    run("token", "revoke", str(token.id))

    assert authenticate_token(raw) is None
    assert "revoked" in run("token", "list", "nina")


def test_token_create_for_an_unknown_user_fails_clearly(db):
    with pytest.raises(CommandError, match="no user 'ghost'"):
        run("token", "create", "ghost")


def _accord(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env
    return subprocess.run(
        [sys.executable, "-m", "accord.cli", *args], capture_output=True, text=True,
        env=environment, timeout=60,
    )


def test_production_refuses_the_development_secret_key(tmp_path):
    result = _accord("check", ACCORD_ENV="production", ACCORD_DATA_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_reports_an_unreachable_database(tmp_path):
    result = _accord("check", DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")

    assert result.returncode != 0
    assert "database unreachable" in result.stdout


def test_health_answers_503_when_the_database_is_unreachable():
    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/health'); print(r.status_code, r.json()['status'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "accord.settings",
                          "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
    )
    assert result.stdout.split() == ["503", "unavailable"], result.stderr
