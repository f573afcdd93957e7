import json
import socket
import time
from datetime import timedelta

import pytest

from accord.escalation import services
from accord.escalation.choices import NotificationStatus
from accord.lib import signing
from tests.conftest import NOW
from tests.escalation.conftest import SECRET, enqueue, later


def test_it_retries_with_backoff_until_the_receiver_recovers(webhook, receiver):
    receiver.statuses = [500, 503]
    notification = enqueue(webhook)

    assert services.deliver_due(NOW) == 1
    notification.refresh_from_db()
    # First failure: back in the outbox about 30 s later (up to 20 % jitter earlier).
    assert notification.status == NotificationStatus.PENDING
    wait = notification.next_attempt_at - NOW
    assert timedelta(seconds=23) < wait <= timedelta(seconds=31)
    # Not due yet: nothing is sent before its time.
    assert services.deliver_due(NOW + timedelta(seconds=20)) == 0

    assert services.deliver_due(notification.next_attempt_at) == 1
    notification.refresh_from_db()
    second_wait = notification.next_attempt_at - notification.deliveries.last().finished_at
    assert timedelta(seconds=47) < second_wait <= timedelta(seconds=60)

    assert services.deliver_due(later(minutes=5)) == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DELIVERED
    assert notification.attempts == 3 and notification.last_error == ""
    # A visible row for every attempt, with its outcome.
    attempts = list(notification.deliveries.values_list("number", "ok", "status_code"))
    assert attempts == [(1, False, 500), (2, False, 503), (3, True, 200)]
    assert all(a.finished_at >= a.started_at for a in notification.deliveries.all())
    webhook.refresh_from_db()
    assert webhook.last_error == ""


def test_every_attempt_is_signed_and_carries_the_same_body_and_key(webhook, receiver):
    receiver.statuses = [500]
    enqueue(webhook, key="esc-7:webhook")
    services.deliver_due(NOW)
    services.deliver_due(later(hours=1))

    assert len(receiver.hits) == 2
    assert receiver.keys() == ["esc-7:webhook", "esc-7:webhook"]
    assert receiver.hits[0]["body"] == receiver.hits[1]["body"]
    for hit, sent_at in zip(receiver.hits, [NOW, later(hours=1)], strict=True):
        headers = hit["headers"]
        assert headers["Content-Type"] == "application/json"
        # The receiver's check passes with the endpoint's secret ...
        signing.verify(SECRET, hit["body"], headers["X-Accord-Timestamp"],
                       headers["X-Accord-Signature"], now=sent_at + timedelta(seconds=2))
        # ... and fails with another.
        with pytest.raises(signing.BadSignature):
            signing.verify("another-secret-value", hit["body"], headers["X-Accord-Timestamp"],
                           headers["X-Accord-Signature"], now=sent_at)
    sent = receiver.json()
    assert sent["idempotency_key"] == "esc-7:webhook"
    assert sent["subject"] == "P1 ticket INC-1 at 90 %"
    assert sent["data"] == {"ticket": "INC-1"}


def test_it_makes_a_dead_letter_after_the_retry_limit_and_retries_it_by_hand(
        webhook, receiver, settings, slm, reader, api):
    settings.ACCORD_DELIVERY_MAX_ATTEMPTS = 3
    receiver.default = 500
    notification = enqueue(webhook)

    for hours in range(4):
        services.deliver_due(later(hours=hours))
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DEAD
    assert notification.attempts == 3 and len(receiver.hits) == 3
    assert notification.last_error.startswith("HTTP 500")

    # Dead letters are listed by the API.
    dead = api(reader).get("notifications?status=dead")
    assert dead.status_code == 200
    assert [n["id"] for n in dead.data["items"]] == [notification.pk]
    assert dead.data["items"][0]["last_error"].startswith("HTTP 500")
    # A reader may look but not retry.
    assert api(reader).post(f"notifications/{notification.pk}/retry").status_code == 403

    retried = api(slm).post(f"notifications/{notification.pk}/retry")
    assert retried.status_code == 200 and retried.data["status"] == "pending"
    # Retrying something that is not dead is refused.
    again = api(slm).post(f"notifications/{notification.pk}/retry")
    assert again.status_code == 409

    receiver.default = 200
    notification.refresh_from_db()  # due again from the moment of the retry
    services.deliver_due(notification.next_attempt_at)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DELIVERED
    assert notification.attempts == 4
    audit = api(slm).get(f"audit?object_type=escalation.notification&object_id={notification.pk}")
    assert audit.data["items"][0]["actor"] == "sam"
    assert audit.data["items"][0]["changes"] == {"status": ["dead", "pending"]}


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(400, "dead"), (401, "dead"), (404, "dead"), (410, "dead"),
     (408, "pending"), (429, "pending"), (500, "pending"), (502, "pending")],
)
def test_client_errors_are_permanent_but_timeouts_and_throttling_are_retried(
        webhook, receiver, status, outcome):
    receiver.statuses = [status]
    notification = enqueue(webhook)

    services.deliver_due(NOW)

    notification.refresh_from_db()
    assert notification.status == outcome
    assert notification.attempts == 1
    webhook.refresh_from_db()
    assert webhook.last_error.startswith(f"HTTP {status}")


def test_it_stops_waiting_for_a_slow_receiver_at_the_timeout(admin_user, receiver):
    receiver.delay = 3
    channel = services.create_channel(
        by=admin_user, name="Slow", kind="webhook", now=NOW,
        config={"url": receiver.url, "secret": SECRET, "timeout": 0.3},
    )
    notification = enqueue(channel)

    started = time.monotonic()
    services.deliver_due(NOW)
    took = time.monotonic() - started

    assert took < 2
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.last_error == "timed out after 0.3 s"


def test_a_refused_connection_is_retried(admin_user):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    channel = services.create_channel(
        by=admin_user, name="Nobody", kind="webhook", now=NOW,
        config={"url": f"http://127.0.0.1:{port}/", "secret": SECRET, "timeout": 1},
    )
    notification = enqueue(channel)

    services.deliver_due(NOW)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.last_error.startswith("connection failed")


def test_the_body_is_plain_json_a_receiver_can_parse(webhook, receiver):
    enqueue(webhook, payload={"level": "L2", "nested": {"a": [1, 2]}})
    services.deliver_due(NOW)
    assert json.loads(receiver.hits[0]["body"])["data"] == {"level": "L2",
                                                            "nested": {"a": [1, 2]}}
