import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command

from accord.escalation import worker
from accord.escalation.choices import NotificationStatus
from accord.escalation.models import Notification
from tests.conftest import NOW
from tests.escalation.conftest import enqueue


@pytest.fixture
def extra_steps():
    """Steps registered by a test are removed afterwards."""
    before = list(worker.FIRING_STEPS)
    yield
    worker.FIRING_STEPS[:] = before


def test_once_delivers_everything_due_then_returns(webhook, receiver):
    for i in range(3):
        enqueue(webhook, key=f"n-{i}")

    worker.run_worker(once=True, worker_id="w1")

    assert set(Notification.objects.values_list("status", flat=True)) == {"delivered"}
    assert sorted(receiver.keys()) == ["n-0", "n-1", "n-2"]


def test_the_worker_command_runs_once_for_cron(webhook, receiver):
    enqueue(webhook)

    call_command("worker", "--once")

    assert Notification.objects.get().status == NotificationStatus.DELIVERED


def test_registered_steps_run_before_delivery_and_a_failing_one_is_not_fatal(
        webhook, receiver, extra_steps):
    calls = []

    @worker.register_step
    def fire_due_clocks(now, worker_id):
        calls.append((now, worker_id, Notification.objects.filter(status="delivered").count()))
        return False

    @worker.register_step
    def broken(now, worker_id):
        raise RuntimeError("bad row")

    enqueue(webhook)
    worker.run_worker(once=True, worker_id="w7")

    # The firing step ran first (nothing delivered yet), with an aware now and the worker id.
    first_now, worker_id, delivered_before = calls[0]
    assert first_now.tzinfo is not None and worker_id == "w7" and delivered_before == 0
    # The broken step did not stop delivery.
    assert Notification.objects.get().status == NotificationStatus.DELIVERED


def test_it_sleeps_no_longer_than_until_the_next_notification_is_due(webhook):
    assert worker.idle_seconds(5, NOW) == 5
    enqueue(webhook, key="soon", now=NOW + timedelta(seconds=2))
    assert worker.idle_seconds(5, NOW) == 2
    assert worker.idle_seconds(5, NOW + timedelta(minutes=1)) == 0


@pytest.mark.django_db(transaction=True)
def test_the_embedded_worker_thread_delivers_and_stops_on_request(admin_user, receiver):
    from accord.escalation import services

    channel = services.create_channel(
        by=admin_user, name="Hook", kind="webhook", now=NOW,
        config={"url": receiver.url, "secret": "s" * 16, "timeout": 2},
    )
    enqueue(channel)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_worker,
                              kwargs={"stop_event": stop, "interval": 0.2})
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not receiver.hits and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(10)

    assert not thread.is_alive()
    assert Notification.objects.get().status == NotificationStatus.DELIVERED
