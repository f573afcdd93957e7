import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from accord.escalation import services
from accord.escalation.channels.email import message_id
from accord.escalation.choices import NotificationStatus
from accord.lib.errors import InvalidInput
from tests.conftest import NOW
from tests.escalation.conftest import enqueue

HTML = "<h2>P1 ticket INC-1 at 90 %</h2><p>Resolve soon.</p>"


@pytest.fixture
def email_channel(admin_user):
    return services.create_channel(
        by=admin_user, name="Service desk mail", kind="email", now=NOW,
        config={"addresses": ["desk@example.com", "lead@example.com"]},
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every message; refuses recipients at refused.example."""

    def __init__(self):
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def test_it_mails_text_and_html_to_the_channel_addresses(email_channel):
    notification = enqueue(email_channel, key="esc-1:mail", html=HTML)

    services.deliver_due(NOW)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DELIVERED
    [sent] = mail.outbox
    assert sent.to == ["desk@example.com", "lead@example.com"]
    assert sent.subject == "P1 ticket INC-1 at 90 %"
    assert sent.body == "Resolve soon."
    assert sent.alternatives[0][0] == HTML and sent.alternatives[0][1] == "text/html"
    # The Message-ID comes from the idempotency key: a repeat is the same message.
    assert sent.extra_headers["Message-ID"] == message_id("esc-1:mail")
    assert sent.extra_headers["X-Accord-Idempotency-Key"] == "esc-1:mail"


def test_a_notification_with_its_own_recipient_goes_only_to_that_person(email_channel):
    enqueue(email_channel, recipient="oscar@example.com")

    services.deliver_due(NOW)

    assert mail.outbox[0].to == ["oscar@example.com"]


def test_it_refuses_a_recipient_that_is_not_an_address(email_channel):
    with pytest.raises(InvalidInput) as caught:
        enqueue(email_channel, recipient="oscar at example")
    assert caught.value.field == "recipient"


def test_a_real_smtp_exchange_carries_both_parts(email_channel, smtp_server):
    enqueue(email_channel, key="esc-2:mail", html=HTML)

    services.deliver_due(NOW)

    [envelope] = smtp_server.envelopes
    assert sorted(envelope.rcpt_tos) == ["desk@example.com", "lead@example.com"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "P1 ticket INC-1 at 90 %"
    assert message["Message-ID"] == message_id("esc-2:mail")
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
    assert parts["text/plain"].strip() == "Resolve soon."
    assert parts["text/html"].strip() == HTML


def test_a_refused_mailbox_is_a_dead_letter_at_once(email_channel, smtp_server):
    notification = enqueue(email_channel, recipient="gone@refused.example")

    services.deliver_due(NOW)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DEAD
    assert notification.attempts == 1
    assert "gone@refused.example" in notification.last_error


def test_an_unreachable_mail_server_is_retried(email_channel, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    notification = enqueue(email_channel)

    services.deliver_due(NOW)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.last_error.startswith("SMTP failed")
