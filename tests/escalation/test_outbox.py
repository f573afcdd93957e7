from datetime import datetime, timedelta

import hypothesis
import pytest
from django.db import transaction
from hypothesis import strategies as st

from accord.escalation import services
from accord.escalation.choices import NotificationStatus
from accord.escalation.models import Channel, Notification
from accord.escalation.services import outbox
from tests.conftest import NOW
from tests.escalation.conftest import enqueue, later


def test_enqueue_is_idempotent_by_key(webhook):
    first = enqueue(webhook, key="clock-9:75")
    second = enqueue(webhook, key="clock-9:75", subject="Something else")

    assert second.pk == first.pk
    assert Notification.objects.count() == 1
    # The first write wins: a repeated state change does not rewrite the message.
    assert Notification.objects.get().subject == "P1 ticket INC-1 at 90 %"


def test_the_outbox_row_shares_the_fate_of_the_callers_transaction(webhook):
    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        enqueue(webhook, key="in-a-failed-change")
        raise Rollback

    assert not Notification.objects.filter(idempotency_key="in-a-failed-change").exists()


def test_it_refuses_naive_datetimes(webhook):
    naive = datetime(2025, 3, 7, 12, 0)
    with pytest.raises(ValueError, match="2025, 3, 7, 12, 0"):
        enqueue(webhook, now=naive)
    with pytest.raises(ValueError, match="aware"):
        services.deliver_due(naive)
    assert not Notification.objects.exists()


def test_subjects_are_kept_to_one_line(webhook):
    notification = enqueue(webhook, subject="P1\r\nBcc: everyone@example.com")
    assert notification.subject == "P1 Bcc: everyone@example.com"


def test_a_disabled_channel_makes_visible_dead_letters_that_can_be_retried(
        webhook, receiver, admin_user):
    services.update_channel(webhook, by=admin_user, enabled=False)
    notification = enqueue(webhook)

    services.deliver_due(NOW)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DEAD
    assert notification.deliveries.get().error == "channel 'Ops webhook' is disabled"
    assert receiver.hits == []

    services.update_channel(webhook, by=admin_user, enabled=True)
    services.retry_dead(notification, by=admin_user, now=later(minutes=5))
    services.deliver_due(later(minutes=5))
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DELIVERED


def test_a_crashed_workers_claim_is_taken_over_after_the_lease(webhook, receiver, settings):
    settings.ACCORD_DELIVERY_LEASE = 120
    notification = enqueue(webhook)
    # A worker claims the notification, then dies before sending: this is all it leaves.
    outbox._claim_next(NOW, "worker-that-died")
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENDING
    assert notification.claimed_until == NOW + timedelta(seconds=120)

    # While the lease holds, nobody else touches it.
    assert services.deliver_due(later(seconds=119), worker_id="second") == 0
    assert services.deliver_due(later(seconds=121), worker_id="second") == 1

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DELIVERED
    first, second = notification.deliveries.all()
    # The interrupted attempt stays on record, unfinished.
    assert (first.worker, first.finished_at, first.ok) == ("worker-that-died", None, None)
    assert (second.worker, second.ok) == ("second", True)


def test_a_transport_that_crashes_is_recorded_and_retried_not_fatal(webhook, receiver):
    # A config damaged behind the services' back makes the transport raise AttributeError.
    Channel.objects.filter(pk=webhook.pk).update(config={"url": receiver.url, "secret": 7})
    notification = enqueue(webhook)

    assert services.deliver_due(NOW) == 1

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.last_error.startswith("internal error: AttributeError")


def test_it_delivers_oldest_due_first_and_at_most_the_limit(webhook, receiver):
    for minute in (3, 1, 2):
        enqueue(webhook, key=f"n-{minute}", now=later(minutes=minute))

    assert services.deliver_due(later(minutes=5), limit=2) == 2
    assert receiver.keys() == ["n-1", "n-2"]
    assert services.next_due_at() == later(minutes=3)


def test_next_due_at_covers_pending_rows_and_lapsing_claims(webhook, settings):
    settings.ACCORD_DELIVERY_LEASE = 60
    assert services.next_due_at() is None
    enqueue(webhook, key="a", now=later(minutes=10))
    outbox._claim_next(later(minutes=10), "w")
    assert services.next_due_at() == later(minutes=11)
    enqueue(webhook, key="b", now=later(minutes=5))
    assert services.next_due_at() == later(minutes=5)


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(attempt=st.integers(1, 40), key=st.text(min_size=1, max_size=40))
def test_backoff_doubles_with_bounded_jitter_and_a_cap(attempt, key):
    delay = outbox.backoff_delay(attempt, key, base=30, cap=3600).total_seconds()
    ceiling = min(3600, 30 * 2 ** (attempt - 1))
    assert 0.8 * ceiling <= delay <= ceiling
    # The same key and attempt always wait the same time.
    assert outbox.backoff_delay(attempt, key, base=30, cap=3600).total_seconds() == delay


def test_backoff_spreads_different_keys():
    delays = {outbox.backoff_delay(3, f"key-{i}", base=30, cap=3600) for i in range(20)}
    assert len(delays) == 20
