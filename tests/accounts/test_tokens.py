from accord.accounts import services
from accord.accounts.models import ApiToken, User
from tests.conftest import NOW


def test_it_stores_only_the_hash_and_shows_the_token_once(reader, api):
    token, raw = services.create_token(reader, "laptop", "read")

    assert raw.startswith("acc_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.digest, stored.prefix, stored.name)
    # Listing tokens never returns the raw value again.
    listing = api(reader).get("tokens")
    assert listing.status_code == 200
    assert raw not in listing.content.decode()


def test_it_authenticates_with_a_token_and_refuses_a_revoked_one(reader, client):
    token, raw = services.create_token(reader, "ci", "read")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/me", **auth).json()["username"] == "rita"

    services.revoke_token(token, by=reader, now=NOW)

    assert client.get("/api/v1/me", **auth).status_code == 401


def test_it_answers_401_without_credentials_and_with_a_wrong_token(db, client):
    assert client.get("/api/v1/me").status_code == 401
    bad = {"HTTP_AUTHORIZATION": "Bearer acc_not-a-real-token"}
    assert client.get("/api/v1/me", **bad).status_code == 401


def test_a_read_only_token_cannot_write(admin_user, api):
    read_only = api(admin_user, scope="read")

    response = read_only.post("users", {"username": "x", "role": "reader"})

    assert response.status_code == 403
    assert "read-only" in response.data["detail"][0]["msg"]


def test_it_creates_and_revokes_tokens_through_the_api(reader, api):
    me = api(reader)
    created = me.post("tokens", {"name": "script", "scope": "read"})
    assert created.status_code == 201
    raw = created.data["token"]

    revoked = me.delete(f"tokens/{created.data['id']}")

    assert revoked.status_code == 200 and revoked.data["revoked_at"]
    assert services.authenticate_token(raw) is None


def test_a_read_only_token_can_neither_mint_nor_revoke_tokens(reader, api):
    writer, _ = services.create_token(reader, "writer", "write")
    read_only = api(reader, scope="read")

    assert read_only.post("tokens", {"name": "x", "scope": "write"}).status_code == 403
    assert read_only.post("tokens", {"name": "x", "scope": "read"}).status_code == 403
    assert read_only.delete(f"tokens/{writer.id}").status_code == 403
    writer.refresh_from_db()
    assert writer.revoked_at is None


def test_a_huge_page_size_or_offset_is_refused_naming_the_field(reader, api):
    client = api(reader)
    too_big = client.get("services?limit=194178790733665083064320")
    assert too_big.status_code == 422
    assert "limit" in too_big.data["detail"][0]["loc"]
    assert client.get("services?offset=7265706112000").status_code == 422
    assert client.get("services?limit=1000").status_code == 200


def test_an_id_filter_too_large_for_the_database_is_bad_input(reader, api):
    response = api(reader).get("customers?contact=-3158519799024372940800")
    assert response.status_code in (200, 422)  # empty result or a clear refusal, never a 500


def test_a_user_with_a_bad_email_is_refused_naming_the_field(admin_user, api):
    response = api(admin_user).post("users", {"username": "x", "role": "reader",
                                              "email": "not-an-address"})
    assert response.status_code == 422
    assert response.data["detail"][0]["loc"] == ["body", "email"]
    assert not User.objects.filter(username="x").exists()
