"""Domain operations of the escalation app: the only writers of its tables.

    outbox       enqueue, deliver_due, retry_dead, send_test, next_due_at
    setup        channels and escalation policies (create, update, delete; audited)
    escalations  fire_step (the seam that clock firing calls), acknowledge, record_decision
    firing       fire_due (the worker's clock firing unit), next_clock_event_at
"""

from .escalations import acknowledge, fire_step, record_decision
from .firing import fire_due, next_clock_event_at
from .outbox import backoff_delay, deliver_due, enqueue, next_due_at, retry_dead, send_test
from .setup import (
    create_channel,
    create_policy,
    delete_channel,
    delete_policy,
    update_channel,
    update_policy,
)

__all__ = [
    "acknowledge", "backoff_delay", "create_channel", "create_policy", "delete_channel",
    "delete_policy", "deliver_due", "enqueue", "fire_due", "fire_step", "next_clock_event_at",
    "next_due_at", "record_decision",
    "retry_dead", "send_test", "update_channel", "update_policy",
]
