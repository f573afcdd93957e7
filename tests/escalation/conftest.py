"""A real webhook receiver on 127.0.0.1 and channels that point at it."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import NOW
from tests.escalation.clock_world import world  # noqa: F401  (a fixture)

SECRET = "s3cret-for-tests-only"


def later(**kwargs):
    return NOW + timedelta(**kwargs)


class Receiver:
    """Answers POSTs with the next status in ``statuses``, then ``default``; records each hit.

    ``delay`` makes it slow; ``hold`` (an Event) makes the first ``hold_hits`` requests wait
    until the event is set; ``barrier`` makes the first requests wait for each other (and
    answer 500 if they do not all arrive).
    """

    def __init__(self):
        self.statuses: list[int] = []
        self.default = 200
        self.delay = 0.0
        self.hold: threading.Event | None = None
        self.hold_hits = 1_000_000
        self.barrier: threading.Barrier | None = None
        self.hits: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.hits.append({"headers": dict(self.headers), "body": body,
                                          "path": self.path})
                    number = len(receiver.hits)
                    status = receiver.statuses.pop(0) if receiver.statuses else receiver.default
                    hold, delay, barrier = receiver.hold, receiver.delay, receiver.barrier
                if hold is not None and number <= receiver.hold_hits:
                    hold.wait(60)
                if barrier is not None and number <= barrier.parties:
                    try:
                        barrier.wait()
                    except threading.BrokenBarrierError:
                        status = 500
                if delay:
                    threading.Event().wait(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok" if status < 300 else b"nope")
                except OSError:
                    pass  # the sender went away (timed out or was killed)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def json(self, i: int = -1) -> dict:
        return json.loads(self.hits[i]["body"])

    def keys(self) -> list[str]:
        return [hit["headers"]["X-Accord-Idempotency-Key"] for hit in self.hits]

    def close(self):
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Personas get passwords; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def webhook(admin_user, receiver):
    from accord.escalation import services

    return services.create_channel(
        by=admin_user, name="Ops webhook", kind="webhook", now=NOW,
        config={"url": receiver.url, "secret": SECRET, "timeout": 2},
    )


def enqueue(channel, key="n-1", *, recipient="", subject="P1 ticket INC-1 at 90 %",
            body="Resolve soon.", html="", payload=None, now=NOW, **extra):
    """Put one notification in the outbox, as a state change would."""
    from accord.escalation import services

    payload = {"ticket": "INC-1"} if payload is None else payload
    return services.enqueue(channel, recipient, subject, body, html, payload, key, now, **extra)
