"""Helpers run in a subprocess against the database a worker process uses:

    python -m tests.escalation.worker_script seed <receiver url> <count>
    python -m tests.escalation.worker_script report        (JSON on stdout)
"""

import json
import sys

import django


def seed(url: str, count: int) -> None:
    from accord.escalation import services
    from tests.conftest import NOW
    from tests.escalation.conftest import SECRET

    channel = services.create_channel(by=None, name="Receiver", kind="webhook", now=NOW,
                                      config={"url": url, "secret": SECRET, "timeout": 10})
    for i in range(count):
        services.enqueue(channel, "", f"Notification {i}", "Body.", "", {"i": i}, f"k{i:03}", NOW)


def report() -> dict:
    from accord.escalation.models import Notification

    return {
        n.idempotency_key: {
            "status": n.status,
            "attempts": n.attempts,
            "deliveries": [[d.worker, d.finished_at is not None, d.ok]
                           for d in n.deliveries.all()],
        }
        for n in Notification.objects.prefetch_related("deliveries")
    }


if __name__ == "__main__":
    django.setup()
    if sys.argv[1] == "seed":
        seed(sys.argv[2], int(sys.argv[3]))
    else:
        print(json.dumps(report()))
