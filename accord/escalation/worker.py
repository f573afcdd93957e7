"""The worker: a loop of small "do one unit" steps (Healthchecks' sendalerts shape).

Each step is ``fn(now, worker_id) -> bool`` (True when it did work). Steps run in order:
first the registered firing steps (``register_step``; clock firing plugs in here), then
outbox delivery. The loop sleeps only when every step was idle, at most
ACCORD_WORKER_INTERVAL seconds and no longer than until the next notification falls due.
SIGTERM/SIGINT (or ``stop_event``) end the loop after the current unit.
"""

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from accord.agreements.lifecycle import apply_due_transitions
from accord.measurement.jobs import run_recompute_batch
from accord.measurement.recompute import next_recheck_at, refresh_stale

from . import services

log = logging.getLogger("accord.worker")

Step = Callable[[datetime, str], bool]
FIRING_STEPS: list[Step] = []


def register_step(fn: Step) -> Step:
    """Add a step that runs before delivery on every pass (usable as a decorator).

    A step does one small unit (e.g. fires one due clock's step through
    ``services.fire_step``) and returns True when it did, so the loop calls it again at once.
    It uses the ``now`` it is given and never reads the clock itself.
    """
    if fn not in FIRING_STEPS:
        FIRING_STEPS.append(fn)
    return fn


def apply_lifecycle(now: datetime, worker_id: str) -> bool:
    """Agreements whose activation, expiry or review has fallen due move on their own."""
    return bool(apply_due_transitions(now))


def refresh_clocks(now: datetime, worker_id: str) -> bool:
    """One batch of tickets whose stored clocks are stale: an event stamped ahead has come,
    or an agreement ended under them."""
    return refresh_stale(now) > 0


register_step(apply_lifecycle)
register_step(refresh_clocks)


def fire_clocks(now: datetime, worker_id: str) -> bool:
    """One batch of due SLA clocks: fire their due steps, plan their next instants."""
    return services.fire_due(now) > 0


register_step(fire_clocks)
# Recompute jobs started from the app (measurement sits below escalation).
register_step(run_recompute_batch)


def deliver_outbox(now: datetime, worker_id: str) -> bool:
    """One notification per unit, so a stop request waits for one delivery at most."""
    return services.deliver_due(now, 1, worker_id) > 0


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def between_units() -> None:
    """Drop a broken or expired connection, as a request would; never inside a transaction
    (an embedding caller's, or a test's)."""
    if not connection.in_atomic_block:
        close_old_connections()


def run_steps(worker_id: str, stop: threading.Event | None = None) -> bool:
    """One pass over every step; True if any did work. A failing step is logged, not fatal."""
    busy = False
    for step in [*FIRING_STEPS, deliver_outbox]:
        if stop is not None and stop.is_set():
            break
        between_units()
        try:
            busy = step(timezone.now(), worker_id) or busy
        except Exception:
            log.exception("worker step %s failed", getattr(step, "__name__", step))
    between_units()
    return busy


def idle_seconds(interval: float, now: datetime) -> float:
    """How long to sleep: ``interval``, or less when a notification, a clock's next event
    or a ticket's recheck falls due sooner."""
    wait = interval
    for due in (services.next_due_at(), services.next_clock_event_at(), next_recheck_at()):
        if due is not None:
            wait = min(wait, (due - now).total_seconds())
    return max(0.0, wait)


def run_worker(stop_event: threading.Event | None = None, interval: float | None = None,
               *, once: bool = False, worker_id: str | None = None) -> None:
    """Run until ``stop_event`` is set (or SIGTERM/SIGINT in the main thread). With ``once``,
    return as soon as a pass finds nothing to do (for cron and tests)."""
    stop = stop_event or threading.Event()
    interval = settings.ACCORD_WORKER_INTERVAL if interval is None else interval
    worker_id = worker_id or default_worker_id()
    if stop_event is None and threading.current_thread() is threading.main_thread():
        def on_signal(signum, frame):
            log.info("%s: finishing the current unit, then stopping", signal.strsignal(signum))
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    log.info("worker %s running (interval %s s)", worker_id, interval)
    try:
        while not stop.is_set():
            if run_steps(worker_id, stop):
                continue
            if once:
                break
            try:
                wait = idle_seconds(interval, timezone.now())
            except Exception:
                log.exception("could not read the next due instant")
                wait = interval
            finally:
                between_units()
            # A floor keeps a row that is due but cannot be claimed (locked, say) from spinning.
            stop.wait(max(wait, 0.2))
    finally:
        if not connection.in_atomic_block:
            connection.close()  # this thread's connection: a stopped worker holds none
    log.info("worker %s stopped", worker_id)
