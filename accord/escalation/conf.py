"""Delivery knobs, read from Django settings with these defaults.

    ACCORD_DELIVERY_MAX_ATTEMPTS  attempts before a notification becomes a dead letter
    ACCORD_DELIVERY_BACKOFF       seconds before the first retry; doubles each time
    ACCORD_DELIVERY_BACKOFF_CAP   the longest wait between two attempts, in seconds
    ACCORD_DELIVERY_LEASE         seconds a worker's claim lasts; after that a crashed worker's
                                  notification is picked up again (keep it above any timeout)
    ACCORD_DELIVERY_BATCH         notifications one deliver_due call sends at most by default
    ACCORD_FIRING_BATCH           due clocks one firing unit claims (and locks) at most
    ACCORD_AT_RISK_PROBABILITY    breach probability (0..1) from which a clock is "at risk"
    ACCORD_AT_RISK_MIN_SAMPLE     completed similar clocks a prediction needs at least
    ACCORD_AT_RISK_HISTORY        the most recent completed clocks a prediction looks at
"""

from django.conf import settings

DEFAULTS = {
    "ACCORD_DELIVERY_MAX_ATTEMPTS": 10,
    "ACCORD_DELIVERY_BACKOFF": 30,
    "ACCORD_DELIVERY_BACKOFF_CAP": 3600,
    "ACCORD_DELIVERY_LEASE": 300,
    "ACCORD_DELIVERY_BATCH": 20,
    "ACCORD_FIRING_BATCH": 50,
    "ACCORD_AT_RISK_PROBABILITY": 0.6,
    "ACCORD_AT_RISK_MIN_SAMPLE": 20,
    "ACCORD_AT_RISK_HISTORY": 5000,
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])
