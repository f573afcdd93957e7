"""Signed webhook: a JSON POST with an HMAC-SHA256 signature and an idempotency key.

Config: ``url`` (http or https), ``secret`` (this endpoint's own HMAC key, at least 16
characters), ``timeout`` (seconds, default 10). Receivers check the signature with
``accord.lib.signing.verify`` and drop repeats by the X-Accord-Idempotency-Key header: delivery
is at-least-once, so the same notification may arrive twice.
"""

import json

from accord.lib import signing
from accord.lib.errors import InvalidInput

from .base import HttpTransport, clean_timeout, clean_url, require_keys

IDEMPOTENCY_HEADER = "X-Accord-Idempotency-Key"


def webhook_body(notification) -> bytes:
    """The request body: the same bytes on every attempt."""
    data = {
        "idempotency_key": notification.idempotency_key,
        "subject": notification.subject,
        "text": notification.body,
        "recipient": notification.recipient,
        "created_at": notification.created_at.isoformat(),
        "data": notification.payload,
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


class WebhookTransport(HttpTransport):
    secret_keys = ("secret",)

    @classmethod
    def clean_config(cls, config):
        config = require_keys(config, {"url", "secret", "timeout"}, {"url", "secret"})
        secret = config["secret"]
        if not isinstance(secret, str) or len(secret) < 16:
            raise InvalidInput("secret must be at least 16 characters", field="config.secret")
        return {"url": clean_url(config), "secret": secret, "timeout": clean_timeout(config)}

    @classmethod
    def redact(cls, config):
        public = super().redact(config)
        public["url"] = config.get("url", "").split("?", 1)[0]
        return public

    def notify(self, notification):
        body = webhook_body(notification)
        headers = signing.signature_headers(self.config["secret"], body, self.at)
        headers[IDEMPOTENCY_HEADER] = notification.idempotency_key
        return self.post(self.config["url"], body, headers)
