from datetime import datetime, timedelta

import pytest

from accord.lib import signing
from tests.conftest import NOW

SECRET = "endpoint-secret-1234"
BODY = b'{"idempotency_key":"esc-1","subject":"P1 at 90 %"}'


def headers(at=NOW, body=BODY, secret=SECRET):
    h = signing.signature_headers(secret, body, at)
    return h[signing.TIMESTAMP_HEADER], h[signing.SIGNATURE_HEADER]


def test_a_receiver_accepts_a_fresh_signed_request():
    timestamp, signature = headers()
    assert timestamp == str(int(NOW.timestamp()))
    signing.verify(SECRET, BODY, timestamp, signature, now=NOW + timedelta(seconds=299))


@pytest.mark.parametrize(
    ("body", "secret", "received", "error"),
    [
        (BODY + b" ", SECRET, NOW, "does not match"),
        (BODY, "another-secret-9999", NOW, "does not match"),
        (BODY, SECRET, NOW + timedelta(minutes=5, seconds=1), "away from now"),
        (BODY, SECRET, NOW - timedelta(minutes=6), "away from now"),
    ],
)
def test_a_receiver_refuses_tampered_foreign_and_replayed_requests(body, secret, received, error):
    timestamp, signature = headers()
    with pytest.raises(signing.BadSignature, match=error):
        signing.verify(secret, body, timestamp, signature, now=received)


def test_a_receiver_refuses_missing_or_malformed_headers():
    _, signature = headers()
    with pytest.raises(signing.BadSignature, match="missing"):
        signing.verify(SECRET, BODY, None, signature, now=NOW)
    with pytest.raises(signing.BadSignature, match="Unix seconds"):
        signing.verify(SECRET, BODY, "yesterday", signature, now=NOW)


def test_signing_refuses_naive_instants():
    with pytest.raises(ValueError, match="naive"):
        signing.signature_headers(SECRET, BODY, datetime(2025, 3, 7, 12))
