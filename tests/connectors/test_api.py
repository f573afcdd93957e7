"""Managing connectors through the API: administrators only, secrets never shown back."""

import pytest

from accord.accounts.models import AuditEntry
from accord.connectors.models import Connector

pytestmark = pytest.mark.django_db

NEW = {"kind": "jira", "name": "Acme Jira", "source": "jira-acme",
       "secret": "a-long-shared-secret"}


def test_an_administrator_creates_a_connector_and_gets_the_url_to_paste(admin_user, api,
                                                                         settings):
    settings.SITE_URL = "https://accord.example.com"
    response = api(admin_user).post("connectors", NEW)

    assert response.status_code == 201, response.data
    body = response.data
    assert body["url"] == f"https://accord.example.com/api/v1/hooks/{body['id']}"
    assert (body["kind"], body["name"], body["source"]) == ("jira", "Acme Jira", "jira-acme")
    # The shipped defaults are the mapping when none is given.
    assert body["mapping"]["statuses"]["Waiting for customer"]["pause"] is True
    assert "secret" not in body and body["secret_set"] is True
    entry = AuditEntry.objects.get(action="create", content_type__model="connector")
    assert "a-long-shared-secret" not in str(entry.changes)


def test_a_mapping_given_is_laid_over_the_defaults(admin_user, api):
    response = api(admin_user).post("connectors", {**NEW, "mapping": {
        "priorities": {"Highest": "Sev1"}, "teams": {"Desk": "Service Desk"}}})

    mapping = response.data["mapping"]
    assert mapping["priorities"]["Highest"] == "Sev1"
    assert mapping["priorities"]["High"] == "P2"  # the default for the rest
    assert mapping["teams"] == {"Desk": "Service Desk"}


def test_credentials_are_stored_but_never_shown_back(admin_user, api):
    response = api(admin_user).post("connectors", {
        **NEW, "base_url": "https://acme.atlassian.net",
        "credentials": {"email": "bot@acme.example", "api_token": "tok-123"}})

    assert response.data["credentials_set"] == ["api_token", "email"]
    assert "tok-123" not in str(response.data)
    assert "tok-123" not in str(api(admin_user).get(f"connectors/{response.data['id']}").data)
    assert Connector.objects.get().credentials["api_token"] == "tok-123"
    assert "tok-123" not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


@pytest.mark.parametrize("change, field", [
    ({"kind": "remedy"}, "kind"),
    ({"secret": ""}, "secret"),
    ({"secret": "   "}, "secret"),
    ({"name": ""}, "name"),
    ({"mapping": {"statuses": {"Done": {"kind": "finished"}}}}, "kind"),
    ({"mapping": {"colour": "red"}}, "colour"),
])
def test_bad_input_names_the_field_and_creates_nothing(admin_user, api, change, field):
    response = api(admin_user).post("connectors", {**NEW, **change})

    assert response.status_code == 422
    assert field in str(response.data["detail"])
    assert not Connector.objects.exists()


def test_a_taken_name_is_refused(admin_user, api):
    api(admin_user).post("connectors", NEW)
    response = api(admin_user).post("connectors", {**NEW, "source": "other"})

    assert response.status_code == 422 and "already taken" in str(response.data)


@pytest.mark.parametrize("persona", ["slm", "reader", "customer_user"])
def test_only_administrators_manage_connectors(persona, request, admin_user, api):
    created = api(admin_user).post("connectors", NEW).data
    user = request.getfixturevalue(persona)
    client = api(user)

    assert client.get("connectors").status_code == 403
    assert client.post("connectors", {**NEW, "name": "x"}).status_code == 403
    assert client.get(f"connectors/{created['id']}").status_code == 403
    assert client.patch(f"connectors/{created['id']}", {"enabled": False}).status_code == 403
    assert client.delete(f"connectors/{created['id']}").status_code == 403
    assert client.get(f"connectors/{created['id']}/deliveries").status_code == 403
    assert Connector.objects.get().enabled is True


def test_patch_changes_what_is_sent_and_is_audited(admin_user, api):
    created = api(admin_user).post("connectors", NEW).data
    response = api(admin_user).patch(f"connectors/{created['id']}",
                                     {"enabled": False, "sync_interval_minutes": 15})

    assert response.status_code == 200
    assert (response.data["enabled"], response.data["sync_interval_minutes"]) == (False, 15)
    entry = AuditEntry.objects.get(action="update", content_type__model="connector")
    assert entry.changes["enabled"] == [True, False]


def test_a_patched_mapping_is_validated(admin_user, api):
    created = api(admin_user).post("connectors", NEW).data
    response = api(admin_user).patch(f"connectors/{created['id']}",
                                     {"mapping": {"statuses": {"Open": "yes"}}})

    assert response.status_code == 422
    assert response.data["detail"][0]["loc"] == ["body", "mapping", "statuses", "Open"]
    assert Connector.objects.get().mapping["statuses"]["Open"] == {"status": "Open",
                                                                  "initial": True}


def test_list_get_and_delete(admin_user, api):
    created = api(admin_user).post("connectors", NEW).data
    listed = api(admin_user).get("connectors").data

    assert [c["name"] for c in listed["items"]] == ["Acme Jira"]
    assert api(admin_user).delete(f"connectors/{created['id']}").status_code == 204
    assert api(admin_user).get(f"connectors/{created['id']}").status_code == 404
    assert AuditEntry.objects.filter(action="delete", content_type__model="connector").count() == 1
