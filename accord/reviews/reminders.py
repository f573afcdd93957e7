"""Reminders through the outbox: one notification per (thing, reminder) key, written in the
transaction that marks the reminder sent, so it is never sent twice and never lost."""

from accord.escalation.choices import ChannelKind
from accord.escalation.models import Channel
from accord.escalation.services.outbox import enqueue

from .conf import setting


def reminder_channel() -> Channel | None:
    """``ACCORD_REMINDER_CHANNEL`` (a channel name), else the first enabled email channel."""
    name = setting("ACCORD_REMINDER_CHANNEL")
    channels = Channel.objects.filter(enabled=True)
    if name:
        return channels.filter(name=name).first()
    return channels.filter(kind=ChannelKind.EMAIL).order_by("pk").first()


def remind(user, *, key: str, subject: str, body: str, payload: dict, now) -> bool:
    """Queue one reminder to ``user`` under ``key``; False if there is nowhere to send it."""
    channel = reminder_channel()
    if channel is None or user is None:
        return False
    recipient = user.email if channel.kind == ChannelKind.EMAIL else str(user)
    if channel.kind == ChannelKind.EMAIL and not recipient:
        return False
    enqueue(channel, recipient, subject[:255], body, "", payload, key, now)
    return True
