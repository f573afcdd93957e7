"""Connectors under test: an administrator's connector per desk kind, and a desk that posts
signed payloads to its hook as the real desk would."""

import json
from pathlib import Path

import pytest
from django.utils import timezone

from accord.connectors import services
from accord.connectors.samples import sign
from tests.conftest import NOW

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "s3cret-s3cret-s3cret"


def fixture(kind: str, name: str) -> dict:
    return json.loads((FIXTURES / kind / f"{name}.json").read_text())


def story(kind: str) -> list[dict]:
    """Every fixture of a desk, in file order (the order the desk sent them)."""
    return [json.loads(p.read_text()) for p in sorted((FIXTURES / kind).glob("*.json"))]


# Where the Jira fixtures keep the team, service and customer (custom field ids vary per
# site, so the shipped mapping names none).
JIRA_FIELDS = {"fields": {"team": "customfield_10001", "service": "customfield_10010",
                          "customer": "customfield_10002"}}


def make_connector(by, kind="jira", name=None, source=None, **fields):
    if kind == "jira" and "mapping" not in fields:
        fields["mapping"] = JIRA_FIELDS
    return services.create_connector(by=by, now=NOW, kind=kind, name=name or f"{kind} desk",
                                     source=source or kind, secret=SECRET, **fields)


class Desk:
    """Posts to a connector's hook with the desk's own signature headers."""

    def __init__(self, client, connector, secret=SECRET):
        self.client, self.connector, self.secret = client, connector, secret

    def post(self, payload, headers=None, *, body: bytes | None = None, signed=True, at=None):
        body = body if body is not None else json.dumps(payload).encode()
        all_headers = dict(headers or {})
        if signed:
            all_headers.update(sign(self.connector.kind, self.secret, body,
                                    at or timezone.now()))
        meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in all_headers.items()}
        response = self.client.post(f"/api/v1/hooks/{self.connector.pk}", data=body,
                                    content_type="application/json", **meta)
        response.data = response.json() if response.content else None
        return response

    def send(self, item):
        """A fixture ({"headers", "payload"})."""
        return self.post(item["payload"], item.get("headers"))


@pytest.fixture
def desk(client):
    return lambda connector, secret=SECRET: Desk(client, connector, secret)
