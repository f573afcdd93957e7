"""Delivery knobs, read from Django settings with these defaults.

    ACCORD_DELIVERY_MAX_ATTEMPTS  attempts before a notification becomes a dead letter
    ACCORD_DELIVERY_BACKOFF       seconds before the first retry; doubles each time
    ACCORD_DELIVERY_BACKOFF_CAP   the longest wait between two attempts, in seconds
    ACCORD_DELIVERY_LEASE         seconds a worker's claim lasts; after that a crashed worker's
                                  notification is picked up again (keep it above any timeout)
    ACCORD_DELIVERY_BATCH         notifications one deliver_due call sends at most by default
"""

from django.conf import settings

DEFAULTS = {
    "ACCORD_DELIVERY_MAX_ATTEMPTS": 10,
    "ACCORD_DELIVERY_BACKOFF": 30,
    "ACCORD_DELIVERY_BACKOFF_CAP": 3600,
    "ACCORD_DELIVERY_LEASE": 300,
    "ACCORD_DELIVERY_BATCH": 20,
}


def setting(name: str) -> int:
    return getattr(settings, name, DEFAULTS[name])
