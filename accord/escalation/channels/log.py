"""A local sink: each notification is written to the ``accord.notifications`` log (the
server's console by default) and counts as delivered. For trying Accord out and for the
demo, where no mail server or webhook receiver is at hand.

Config: optional ``level`` (``info`` or ``warning``).
"""

import logging

from accord.lib.errors import InvalidInput

from .base import Transport, require_keys

log = logging.getLogger("accord.notifications")
LEVELS = {"info": logging.INFO, "warning": logging.WARNING}


class LogTransport(Transport):
    @classmethod
    def clean_config(cls, config):
        config = require_keys(config, {"level"}, set())
        level = config.get("level", "info")
        if level not in LEVELS:
            raise InvalidInput(f"level must be one of {', '.join(LEVELS)}", field="config.level")
        return {"level": level}

    def notify(self, notification):
        log.log(LEVELS[self.config.get("level", "info")], "notification %s to %s: %s",
                notification.idempotency_key, notification.recipient or self.channel.name,
                notification.subject)
        return None
