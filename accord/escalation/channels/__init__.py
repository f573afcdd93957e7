"""Channel kinds: one small module per kind behind the interface in ``base``.

``TRANSPORTS`` maps each kind to its class by dotted path; adding a kind means one module
and one line here.
"""

from django.utils.module_loading import import_string

from accord.lib.errors import InvalidInput

from ..choices import ChannelKind
from .base import Transport, TransportError

TRANSPORTS = {
    ChannelKind.EMAIL: "accord.escalation.channels.email.EmailTransport",
    ChannelKind.WEBHOOK: "accord.escalation.channels.webhook.WebhookTransport",
    ChannelKind.SLACK: "accord.escalation.channels.slack.SlackTransport",
    ChannelKind.TEAMS: "accord.escalation.channels.teams.TeamsTransport",
    ChannelKind.LOG: "accord.escalation.channels.log.LogTransport",
}


def transport_class(kind: str) -> type[Transport]:
    if kind not in TRANSPORTS:
        raise InvalidInput(f"kind {kind!r} is not one of {', '.join(TRANSPORTS)}", field="kind")
    return import_string(TRANSPORTS[kind])


def clean_config(kind: str, config) -> dict:
    """The normalised config for ``kind``, or InvalidInput naming the ``config.<key>``."""
    return transport_class(kind).clean_config(config)


def redact(kind: str, config: dict) -> dict:
    return transport_class(kind).redact(config)


__all__ = ["TRANSPORTS", "Transport", "TransportError", "clean_config", "redact",
           "transport_class"]
