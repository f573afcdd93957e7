import gc
import logging
import os
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

log = logging.getLogger("accord.serve")


def start_embedded_worker() -> threading.Event:
    """Run the escalation worker in a daemon thread; set the returned event to stop it."""
    from accord.escalation.worker import run_worker

    stop = threading.Event()
    thread = threading.Thread(target=run_worker, kwargs={"stop_event": stop}, name="accord-worker")
    thread.daemon = True
    thread.start()
    return stop


def site_url_for(host: str, port: int) -> str | None:
    """The SITE_URL to use while serving on host:port when the environment sets none, so the
    absolute links Accord hands out (a connector's hook ``url``, links in e-mails) reach this
    process; None when SITE_URL is set explicitly (a proxy's public address wins)."""
    if os.environ.get("SITE_URL"):
        return None
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def serve(host: str, port: int, *, migrate: bool = True, worker: bool | None = None, stdout=None):
    from waitress import serve as waitress_serve

    from accord.wsgi import application

    site_url = site_url_for(host, port)
    if site_url:
        settings.SITE_URL = site_url
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
    if worker is None:
        worker = settings.ACCORD_EMBEDDED_WORKER
    stop = start_embedded_worker() if worker else None
    if stdout:
        mode = "on" if worker else "off"
        stdout.write(f"Accord on http://{host}:{port}  (worker thread: {mode})")
    # Everything loaded so far lives as long as the process: keep it out of the cyclic
    # collector's full passes, which a busy intake triggers every few batches (each pass
    # walked all of it: ~100 ms measured, with Django and the app loaded).
    gc.freeze()
    try:
        waitress_serve(application, host=host, port=port, threads=8, ident="accord")
    finally:
        if stop is not None:
            stop.set()


class Command(BaseCommand):
    help = "Serve Accord (applies migrations; on SQLite also runs the worker in a thread)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-migrate", action="store_true")
        worker = parser.add_mutually_exclusive_group()
        worker.add_argument("--worker", dest="worker", action="store_true", default=None)
        worker.add_argument("--no-worker", dest="worker", action="store_false")

    def handle(self, host, port, no_migrate, worker, **options):
        serve(host, port, migrate=not no_migrate, worker=worker, stdout=self.stdout)
