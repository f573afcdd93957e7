"""The connector pages, as an administrator uses them to set a desk up."""

import json

import pytest

from accord.connectors.models import Connector, DeadLetter, Delivery
from accord.measurement.models import TicketEvent
from tests.connectors.conftest import fixture, make_connector
from tests.measurement.clock_world import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def test_an_administrator_creates_a_connector_and_sees_how_to_set_the_desk_up(
        client, admin_user, settings):
    settings.SITE_URL = "https://accord.example.com"
    client.force_login(admin_user)
    assert "Connectors" in client.get("/").content.decode()  # in the navigation

    response = client.post("/connectors/", {"kind": "jira", "name": "Acme Jira",
                                            "source": "jira-acme",
                                            "secret": "a-long-shared-secret"})

    connector = Connector.objects.get()
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"https://accord.example.com/api/v1/hooks/{connector.pk}" in page
    assert "Issue: created" in page and "Comment: created" in page
    assert "a-long-shared-secret" in page  # behind "Show the secret", for pasting


def test_the_page_shows_the_body_to_paste_for_desks_where_the_admin_writes_it(
        client, admin_user):
    glpi = make_connector(admin_user, "glpi")
    servicenow = make_connector(admin_user, "servicenow")
    client.force_login(admin_user)

    page = client.get(f"/connectors/{glpi.pk}/").content.decode()
    # GLPI's two webhook bodies: the ticket's (New, Update) and the followup's.
    assert "{{ item.status.id }}" in page and "{{ item.items_id }}" in page
    page = client.get(f"/connectors/{servicenow.pk}/").content.decode()
    assert "GlideCertificateEncryption" in page


def test_others_may_not_see_connectors(client, slm, admin_user):
    connector = make_connector(admin_user, "jira")
    client.force_login(slm)

    assert "/connectors/" not in client.get("/").content.decode()
    assert client.get("/connectors/").status_code == 403
    assert client.get(f"/connectors/{connector.pk}/").status_code == 403
    assert client.post(f"/connectors/{connector.pk}/mapping",
                       {"mapping": "{}"}).status_code == 403


def test_the_mapping_editor_refuses_a_bad_mapping_naming_the_key(client, admin_user):
    connector = make_connector(admin_user, "jira")
    client.force_login(admin_user)
    bad = {**connector.mapping, "statuses": {"Done": {"kind": "finished"}}}

    response = client.post(f"/connectors/{connector.pk}/mapping",
                           {"mapping": json.dumps(bad)})

    assert response.status_code == 422
    assert "mapping.statuses.Done.kind" in response.content.decode()
    connector.refresh_from_db()
    assert connector.mapping["statuses"]["Done"] == {"status": "Done", "kind": "resolved"}
    garbled = client.post(f"/connectors/{connector.pk}/mapping", {"mapping": "{oops"})
    assert garbled.status_code == 422 and "not JSON" in garbled.content.decode()


def test_fix_the_mapping_then_replay_the_dead_letter_from_the_page(client, admin_user, desk,
                                                                   world):
    connector = make_connector(admin_user, "jira", source="jira-acme")
    desk(connector).send(fixture("jira", "01_created"))
    item = fixture("jira", "06_reassign_team")
    item["payload"]["changelog"]["items"][0]["toString"] = "2nd line"
    desk(connector).send(item)
    letter = DeadLetter.objects.get()
    client.force_login(admin_user)
    page = client.get(f"/connectors/{connector.pk}/").content.decode()
    assert "unknown team" in page

    fixed = {**connector.mapping, "teams": {"2nd line": "Second Line"}}
    client.post(f"/connectors/{connector.pk}/mapping", {"mapping": json.dumps(fixed)})
    client.post(f"/connectors/{connector.pk}/dead-letters/{letter.pk}/replay")

    letter.refresh_from_db()
    assert letter.status == "replayed"
    assert TicketEvent.objects.filter(team="Second Line").count() == 1


def test_send_test_event_from_the_page(client, admin_user):
    connector = make_connector(admin_user, "zendesk")
    client.force_login(admin_user)

    response = client.post(f"/connectors/{connector.pk}/test", follow=True)

    assert "signature verified" in response.content.decode()
    assert Delivery.objects.get().channel == "test"


def test_settings_keep_credentials_write_only(client, admin_user):
    connector = make_connector(admin_user, "jira")
    client.force_login(admin_user)

    client.post(f"/connectors/{connector.pk}/settings", {
        "enabled": "on", "base_url": "https://acme.atlassian.net",
        "sync_interval_minutes": "30",
        "credentials": json.dumps({"email": "bot@acme.example", "api_token": "tok-7"})})

    connector.refresh_from_db()
    assert (connector.base_url, connector.sync_interval_minutes) == (
        "https://acme.atlassian.net", 30)
    assert connector.credentials["api_token"] == "tok-7"
    assert "tok-7" not in client.get(f"/connectors/{connector.pk}/").content.decode()
