"""Real worker processes (`accord worker`) against a shared database: a worker killed with
SIGKILL mid-delivery loses nothing, and on PostgreSQL three workers deliver each notification
exactly once."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def on_postgres() -> bool:
    from django.conf import settings

    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.fixture
def worker_env(transactional_db, tmp_path):
    """Environment for subprocesses that share one database with each other: the test
    database on PostgreSQL (its writes are committed: a transactional test); on SQLite a file
    copied from the migrated, empty in-memory test database (quicker than migrating again)."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.escalation.worker_settings",
               ACCORD_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    if on_postgres():
        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = (
            f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}")
    else:
        path = tmp_path / "accord.sqlite3"
        connection.ensure_connection()
        assert "escalation_notification" in connection.introspection.table_names()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
        copy.close()
        env["DATABASE_URL"] = f"sqlite:///{path}"
    return env


def run(env, *args) -> str:
    done = subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def start_worker(env, log_path, *args):
    log = open(log_path, "ab")  # noqa: SIM115 - closed by the test with the process
    return subprocess.Popen([sys.executable, "-m", "accord.cli", "worker", *args], env=env,
                            cwd=ROOT, stdout=log, stderr=log), log


def report(env) -> dict:
    return json.loads(run(env, "-m", "tests.escalation.worker_script", "report"))


def wait_for(predicate, timeout=30, every=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def test_a_worker_killed_mid_delivery_loses_nothing(worker_env, receiver, tmp_path):
    run(worker_env, "-m", "tests.escalation.worker_script", "seed", receiver.url, "5")
    # The receiver holds the first request open until the worker sending it is dead.
    receiver.hold, receiver.hold_hits = threading.Event(), 1

    first, first_log = start_worker(worker_env, tmp_path / "first.log")
    try:
        assert wait_for(lambda: len(receiver.hits) >= 1), (tmp_path / "first.log").read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first_log.close()
    interrupted = receiver.keys()[0]
    receiver.hold.set()

    # A new worker takes over once the dead worker's lease (3 s here) has lapsed.
    second, second_log = start_worker(worker_env, tmp_path / "second.log")
    try:
        arrived = wait_for(lambda: len(receiver.hits) == 6, timeout=40)
        second.send_signal(signal.SIGTERM)
        assert second.wait(15) == 0  # SIGTERM: finishes the unit, exits cleanly
    finally:
        if second.poll() is None:
            second.kill()
        second_log.close()
    assert arrived, (tmp_path / "second.log").read_text()[-3000:]

    outcome = report(worker_env)
    assert {n["status"] for n in outcome.values()} == {"delivered"}
    assert sorted(outcome) == [f"k{i:03}" for i in range(5)]
    hits = Counter(receiver.keys())
    # At-least-once: every notification arrived; only the interrupted one arrived twice.
    assert set(hits) == set(outcome)
    assert hits[interrupted] == 2 and sum(hits.values()) == 6
    # The killed attempt stays visible as unfinished; the retry by the second worker succeeded.
    (dead_worker, dead_finished, dead_ok), (new_worker, new_finished, new_ok) = (
        outcome[interrupted]["deliveries"])
    assert (dead_finished, dead_ok) == (False, None)
    assert (new_finished, new_ok) == (True, True) and new_worker != dead_worker


@pytest.mark.skipif(
    not on_postgres(),
    reason="needs PostgreSQL (DATABASE_URL=postgresql://...): concurrent workers claim with "
           "SELECT ... FOR UPDATE SKIP LOCKED, which SQLite does not have",
)
def test_three_workers_deliver_each_notification_exactly_once(worker_env, receiver, tmp_path):
    run(worker_env, "-m", "tests.escalation.worker_script", "seed", receiver.url, "30")
    # The first three requests wait for each other: all three workers are sending at once.
    receiver.barrier = threading.Barrier(3, timeout=30)

    workers = [start_worker(worker_env, tmp_path / f"w{i}.log", "--once") for i in range(3)]
    try:
        codes = [process.wait(90) for process, _ in workers]
    finally:
        for process, log in workers:
            if process.poll() is None:
                process.kill()
            log.close()

    assert codes == [0, 0, 0]
    outcome = report(worker_env)
    assert {n["status"] for n in outcome.values()} == {"delivered"}
    # Exactly once: each idempotency key reached the receiver one time.
    hits = Counter(receiver.keys())
    assert sorted(hits) == sorted(outcome) and set(hits.values()) == {1}
    assert all(n["attempts"] == 1 for n in outcome.values())
    senders = {n["deliveries"][0][0] for n in outcome.values()}
    assert len(senders) == 3


@pytest.mark.skipif(
    not on_postgres(),
    reason="needs PostgreSQL (DATABASE_URL=postgresql://...): concurrent workers claim due "
           "clocks with SELECT ... FOR UPDATE SKIP LOCKED, which SQLite does not have",
)
def test_three_workers_fire_each_step_of_each_due_clock_exactly_once(worker_env, slm, receiver,
                                                                    tmp_path):
    from accord.escalation import services
    from accord.escalation.models import Escalation, Notification
    from accord.measurement.models import Clock
    from tests.conftest import NOW
    from tests.escalation.clock_world import at, build_world, opened, send

    hook = services.create_channel(by=slm, name="Receiver", kind="webhook", now=NOW,
                                   config={"url": receiver.url, "secret": "s" * 16, "timeout": 10})
    build_world(slm, channel=hook)
    send(*[opened("03 09:00", ticket=f"INC{i}") for i in range(40)], now=at("03 09:00"))
    assert Clock.objects.filter(next_event_at__isnull=False).count() == 40

    # The workers run on the wall clock, long after these tickets were due: every clock has
    # all four steps (50, 75, 90, 100 %) due at once.
    workers = [start_worker(worker_env, tmp_path / f"w{i}.log", "--once") for i in range(3)]
    try:
        codes = [process.wait(120) for process, _ in workers]
    finally:
        for process, log in workers:
            if process.poll() is None:
                process.kill()
            log.close()

    assert codes == [0, 0, 0], [(tmp_path / f"w{i}.log").read_text()[-2000:] for i in range(3)]
    assert Escalation.objects.count() == 160
    per_clock = Counter(Escalation.objects.values_list("clock_id", flat=True))
    assert set(per_clock.values()) == {4} and len(per_clock) == 40
    assert not Clock.objects.filter(next_event_at__isnull=False).exists()
    # Each escalation wrote one notification, delivered once.
    assert Notification.objects.filter(status="delivered").count() == 160
    hits = Counter(receiver.keys())
    assert len(hits) == 160 and set(hits.values()) == {1}
