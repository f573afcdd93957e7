"""Settings for worker subprocesses in tests: a short lease, so a killed worker's claim lapses
within the test; small firing batches, so concurrent workers share the due clocks."""

from accord.settings import *  # noqa: F403

ACCORD_DELIVERY_LEASE = 3
ACCORD_WORKER_INTERVAL = 1
ACCORD_FIRING_BATCH = 3
