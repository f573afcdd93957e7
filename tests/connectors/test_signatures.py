"""Each desk's signature: right secret, wrong secret, replayed old timestamp, missing
header. A refused call is 401 and stores nothing, not even a delivery."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accord.connectors.models import DeadLetter, Delivery
from accord.measurement.models import TicketEvent
from tests.connectors.conftest import fixture, make_connector

pytestmark = pytest.mark.django_db

KINDS = ["jira", "zendesk", "zammad", "servicenow", "glpi", "freshservice", "generic"]
TIMESTAMPED = ["zendesk", "servicenow", "generic"]


def body_for(kind):
    from accord.connectors.samples import sample

    return sample(kind, timezone.now())


def nothing_stored():
    return not (TicketEvent.objects.exists() or Delivery.objects.exists()
                or DeadLetter.objects.exists())


@pytest.mark.parametrize("kind", KINDS)
def test_the_right_secret_is_accepted(kind, admin_user, desk):
    connector = make_connector(admin_user, kind)
    response = desk(connector).post(body_for(kind))

    assert response.status_code == 200, response.data
    assert response.data["stored"] >= 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_wrong_secret_is_refused(kind, admin_user, desk):
    connector = make_connector(admin_user, kind)
    response = desk(connector, secret="not-the-secret-at-all").post(body_for(kind))

    assert response.status_code == 401
    assert "signature refused" in response.data["detail"]
    assert nothing_stored()


@pytest.mark.parametrize("kind", KINDS)
def test_a_call_without_the_header_is_refused(kind, admin_user, desk):
    connector = make_connector(admin_user, kind)
    response = desk(connector).post(body_for(kind), signed=False)

    assert response.status_code == 401
    assert "missing" in response.data["detail"]
    assert nothing_stored()


@pytest.mark.parametrize("kind", TIMESTAMPED)
def test_an_old_timestamp_is_a_replay_and_refused(kind, admin_user, desk):
    connector = make_connector(admin_user, kind)
    old = timezone.now() - timedelta(minutes=10)
    response = desk(connector).post(body_for(kind), at=old)

    assert response.status_code == 401
    assert "away from now" in response.data["detail"]
    assert nothing_stored()


def test_a_body_changed_after_signing_is_refused(admin_user, desk, client):
    from accord.connectors.samples import sign

    connector = make_connector(admin_user, "jira")
    payload = fixture("jira", "01_created")["payload"]
    headers = sign("jira", "s3cret-s3cret-s3cret", json.dumps(payload).encode(),
                   timezone.now())
    payload["issue"]["key"] = "SUP-666"
    response = desk(connector).post(payload, {k: v for k, v in headers.items()}, signed=False)

    assert response.status_code == 401
    assert nothing_stored()


def test_a_bearer_token_does_not_replace_the_signature(admin_user, api, desk):
    connector = make_connector(admin_user, "generic")
    response = api(admin_user).post(f"/api/v1/hooks/{connector.pk}", body_for("generic"))

    assert response.status_code == 401
    assert nothing_stored()


def test_an_unknown_connector_is_404(client):
    response = client.post("/api/v1/hooks/999", data="{}", content_type="application/json")

    assert response.status_code == 404


def test_glpi_retries_keep_their_timestamp_so_hours_old_is_accepted_days_old_refused(
        admin_user, desk):
    # GLPI stores X-GLPI-signature and X-GLPI-timestamp when it queues a call and sends the
    # same headers on each retry (src/Webhook.php raise / QueuedWebhook).
    connector = make_connector(admin_user, "glpi")
    retried = desk(connector).post(body_for("glpi"), at=timezone.now() - timedelta(hours=3))
    assert retried.status_code == 200, retried.data

    replayed = desk(connector).post(body_for("glpi"), at=timezone.now() - timedelta(days=2))
    assert replayed.status_code == 401
    assert "away from now" in replayed.data["detail"]


def test_glpi_may_send_the_secret_as_a_custom_header_instead(admin_user, desk):
    connector = make_connector(admin_user, "glpi")
    token = desk(connector).post(body_for("glpi"), {"X-Accord-Token": "s3cret-s3cret-s3cret"},
                                 signed=False)
    wrong = desk(connector).post(body_for("glpi"), {"X-Accord-Token": "guess"}, signed=False)

    assert (token.status_code, wrong.status_code) == (200, 401)
