"""Personas and API helpers shared by every test module above the clock engine.

Each persona is a user of one role; ``api`` gives a client that calls /api/v1 with a bearer
token of that persona (``api(reader)``, ``api(slm, scope="read")``).
"""

import json
from datetime import UTC, datetime

import pytest

# One named instant for tests above the clock engine (STYLE: freeze time at a named instant).
NOW = datetime(2025, 3, 7, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(username, role):
    from accord.accounts import services

    return services.create_user(username, role=role, password="pw", email=f"{username}@example.com")


@pytest.fixture
def reader(db):
    return _user("rita", "reader")


@pytest.fixture
def analyst(db):
    return _user("anna", "analyst")


@pytest.fixture
def owner(db):
    return _user("oscar", "service_owner")


@pytest.fixture
def slm(db):
    return _user("sam", "service_level_manager")


@pytest.fixture
def admin_user(db):
    return _user("ada", "administrator")


@pytest.fixture
def customer_user(db):
    return _user("carl", "customer")


class ApiClient:
    """A tiny JSON client for /api/v1 with a bearer token."""

    def __init__(self, client, raw_token):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw_token}"} if raw_token else {}

    def _call(self, method, path, body=None):
        url = path if path.startswith("/") else f"/api/v1/{path}"
        kwargs = dict(self.headers)
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        response = getattr(self.client, method)(url, **kwargs)
        response.data = response.json() if response.content and response.get(
            "Content-Type", ""
        ).startswith("application/json") else None
        return response

    def get(self, path):
        return self._call("get", path)

    def post(self, path, body=None):
        return self._call("post", path, body if body is not None else {})

    def put(self, path, body=None):
        return self._call("put", path, body)

    def patch(self, path, body=None):
        return self._call("patch", path, body)

    def delete(self, path):
        return self._call("delete", path)


@pytest.fixture
def api(client):
    """``api(user, scope="write")`` -> ApiClient authenticated with a new token of ``user``;
    ``api(None)`` -> an anonymous client."""
    from accord.accounts import services

    def make(user, scope="write"):
        if user is None:
            return ApiClient(client, None)
        _, raw = services.create_token(user, "test", scope)
        return ApiClient(client, raw)

    return make


def counterparty_contact(agreement, first="Pat", last="Buyer"):
    """A contact of ``agreement``'s counterparty (a member for a team; a staff user for a
    corporate SLA) who signs on paper: made once, named ``first last``."""
    from accord.accounts import services
    from accord.accounts.models import User

    username = f"{first}.{last}".lower()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.create_user(username, role="reader", first_name=first, last_name=last)
    party = agreement.counterparty
    if party is not None:
        (party.members if agreement.kind == "ola" else party.contacts).add(user)
    return user


def sign_on_behalf(version, by, now, **kwargs):
    """``by`` (an SLM) records the counterparty's paper signature (Pat Buyer's)."""
    from accord.agreements import versions

    contact = counterparty_contact(version.agreement, **kwargs)
    return versions.approve(version, party="counterparty", by=by, now=now,
                            on_behalf_of_contact=contact,
                            evidence="Signed paper copy in the contracts file")
