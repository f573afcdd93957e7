"""Failed web sign-ins are throttled per account and per address (django-axes), visible to
administrators in the admin, and never lock out the API's token holders (issue 14,
finding 9)."""

import pytest

from accord.accounts import services

pytestmark = pytest.mark.django_db

LIMIT = 5  # ACCORD_LOGIN_FAILURE_LIMIT's default


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password},
                       REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_lock_the_account_even_for_the_right_one(client, reader):
    for _ in range(LIMIT + 10):
        sign_in(client, "rita", "wrong")

    response = sign_in(client, "rita", "pw")

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert not signed_in(client)


def test_the_account_is_locked_from_any_address(client, reader):
    for n in range(LIMIT):
        sign_in(client, "rita", "wrong", address=f"10.0.1.{n}")

    assert sign_in(client, "rita", "pw", address="10.9.9.9").status_code == 429
    assert not signed_in(client)


def test_one_address_guessing_many_accounts_is_locked(client, reader, analyst):
    for n in range(LIMIT):
        sign_in(client, f"nobody{n}", "guess", address="10.0.0.66")

    assert sign_in(client, "anna", "pw", address="10.0.0.66").status_code == 429
    assert not signed_in(client)
    # Another address signs in as usual.
    assert sign_in(client, "anna", "pw", address="10.0.0.7").status_code == 302
    assert signed_in(client)


def test_a_success_resets_the_count(client, reader):
    for _ in range(2):
        for _ in range(LIMIT - 1):
            sign_in(client, "rita", "wrong")
        assert sign_in(client, "rita", "pw").status_code == 302
        client.logout()


def test_the_limit_is_a_setting(client, reader, settings):
    settings.AXES_FAILURE_LIMIT = 2
    sign_in(client, "rita", "wrong")
    sign_in(client, "rita", "wrong")

    assert sign_in(client, "rita", "pw").status_code == 429


def test_token_holders_keep_using_the_api_while_locked_out(client, reader):
    _, token = services.create_token(reader, "script", "read")
    for _ in range(LIMIT + 1):
        sign_in(client, "rita", "wrong", address="127.0.0.1")
    assert sign_in(client, "rita", "pw", address="127.0.0.1").status_code == 429

    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}",
                          REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200


def test_administrators_see_and_clear_lockouts_in_the_admin(client, reader, admin_user, slm):
    for _ in range(LIMIT):
        sign_in(client, "rita", "wrong")
    client.force_login(slm)
    assert client.get("/admin/axes/accessattempt/").status_code == 403

    client.force_login(admin_user)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "rita" in listing.content.decode()

    from axes.models import AccessAttempt
    attempt = AccessAttempt.objects.get(username="rita")
    client.post("/admin/axes/accessattempt/", {"action": "delete_selected", "post": "yes",
                                               "_selected_action": [attempt.pk]})
    client.logout()
    assert sign_in(client, "rita", "pw", address="10.0.0.2").status_code == 302
    from accord.accounts.models import AuditEntry
    assert AuditEntry.objects.filter(action="delete", actor="ada",
                                     content_type__model="accessattempt").exists()
