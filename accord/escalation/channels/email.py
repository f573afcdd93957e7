"""Email through Django's mail settings (EMAIL_HOST, ...): a text part and an HTML part.

Config: ``addresses`` (a list, may be empty) and optional ``from_email``. A notification goes
to its own ``recipient`` when it has one, otherwise to the channel's addresses. The
Message-ID is derived from the idempotency key, so a repeated delivery is recognisable as
the same message.
"""

import hashlib
import smtplib

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accord.lib.errors import InvalidInput

from .base import Transport, TransportError, require_keys

IDEMPOTENCY_HEADER = "X-Accord-Idempotency-Key"


def check_address(value, field: str) -> str:
    try:
        validate_email(value)
    except (ValidationError, TypeError):
        raise InvalidInput(f"{value!r} is not an email address", field=field) from None
    return value


def message_id(key: str) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "accord.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


class EmailTransport(Transport):
    @classmethod
    def clean_config(cls, config):
        config = require_keys(config, {"addresses", "from_email"}, set())
        addresses = config.get("addresses", [])
        if not isinstance(addresses, list):
            raise InvalidInput("addresses must be a list", field="config.addresses")
        cleaned = {
            "addresses": [
                check_address(a, f"config.addresses.{i}") for i, a in enumerate(addresses)
            ]
        }
        if config.get("from_email"):
            cleaned["from_email"] = check_address(config["from_email"], "config.from_email")
        return cleaned

    def recipients(self, notification) -> list[str]:
        return [notification.recipient] if notification.recipient else self.config["addresses"]

    def notify(self, notification):
        to = self.recipients(notification)
        if not to:
            raise TransportError("no address to send to", permanent=True)
        message = mail.EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body,
            from_email=self.config.get("from_email") or settings.DEFAULT_FROM_EMAIL,
            to=to,
            headers={
                "Message-ID": message_id(notification.idempotency_key),
                IDEMPOTENCY_HEADER: notification.idempotency_key,
            },
        )
        if notification.html:
            message.attach_alternative(notification.html, "text/html")
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = ", ".join(sorted(exc.recipients))
            raise TransportError(f"recipients refused: {refused}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            reply = exc.smtp_error.decode("utf-8", "replace") if isinstance(
                exc.smtp_error, bytes) else str(exc.smtp_error)
            # 5xx replies are final, except a refused login (fix the settings, then it retries).
            permanent = exc.smtp_code >= 500 and not isinstance(
                exc, smtplib.SMTPAuthenticationError)
            raise TransportError(f"SMTP {exc.smtp_code}: {reply}", permanent=permanent) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"SMTP failed: {exc}") from exc
        return None
