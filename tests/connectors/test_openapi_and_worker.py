"""The hook is documented without a token (the signature authenticates); the escalation
worker runs the connectors' scheduled sync."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_hook_takes_no_token_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json()

    hook = spec["paths"]["/api/v1/hooks/{connector_id}"]["post"]
    assert hook.get("security") in ([], None) or hook["security"] == [{}]
    assert "requestBody" in hook and {"200", "202", "401"} <= set(hook["responses"])
    listing = spec["paths"]["/api/v1/connectors"]["post"]
    assert listing.get("security") != []


def test_the_worker_runs_the_connector_sync_step():
    from accord.connectors.worker import sync_due
    from accord.escalation.worker import FIRING_STEPS

    assert sync_due in FIRING_STEPS
