"""The back office: administrators only; secret and credentials write-only; saves audited."""

import json

import pytest

from accord.accounts.models import AuditEntry
from accord.connectors.models import Connector, DeadLetter
from tests.connectors.conftest import make_connector

pytestmark = pytest.mark.django_db

FORM = {"name": "Acme Jira", "kind": "jira", "source": "jira-acme", "base_url": "",
        "enabled": "on", "sync_interval_minutes": "0", "mapping": "",
        "new_secret": "a-long-shared-secret",
        "new_credentials": json.dumps({"email": "bot@acme.example", "api_token": "tok-9"})}


def test_an_administrator_adds_a_connector_and_never_sees_its_secrets_again(client,
                                                                           admin_user):
    client.force_login(admin_user)
    response = client.post("/admin/connectors/connector/add/", FORM)

    assert response.status_code == 302, response.content.decode()[:2000]
    connector = Connector.objects.get()
    assert connector.secret == "a-long-shared-secret"
    assert connector.credentials["api_token"] == "tok-9"
    assert connector.mapping["priorities"]["Highest"] == "P1"  # shipped defaults
    page = client.get(f"/admin/connectors/connector/{connector.pk}/change/").content.decode()
    assert "a-long-shared-secret" not in page and "tok-9" not in page
    assert AuditEntry.objects.filter(content_type__model="connector", actor="ada").exists()


def test_a_bad_mapping_is_refused_naming_the_key(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/admin/connectors/connector/add/",
                           {**FORM, "mapping": json.dumps({"statuses": {"X": {"kind": "x"}}})})

    assert response.status_code == 200
    assert "mapping.statuses.X.kind" in response.content.decode()
    assert not Connector.objects.exists()


def test_a_blank_secret_keeps_the_stored_one(client, admin_user):
    connector = make_connector(admin_user, "jira")
    client.force_login(admin_user)
    client.post(f"/admin/connectors/connector/{connector.pk}/change/",
                {**FORM, "new_secret": "", "new_credentials": "", "name": "Renamed"})

    connector.refresh_from_db()
    assert connector.name == "Renamed" and connector.secret == "s3cret-s3cret-s3cret"


def test_service_level_managers_do_not_see_connectors(client, slm, admin_user):
    make_connector(admin_user, "jira")
    client.force_login(slm)

    assert client.get("/admin/connectors/connector/").status_code == 403


def test_dead_letters_are_replayed_from_the_admin(client, admin_user, desk):
    connector = make_connector(admin_user, "generic")
    desk(connector).post(None, body=b"[1, 2]")
    letter = DeadLetter.objects.get()
    client.force_login(admin_user)

    client.post("/admin/connectors/deadletter/", {"action": "discard",
                                                  "_selected_action": [letter.pk]})

    letter.refresh_from_db()
    assert letter.status == "discarded"
