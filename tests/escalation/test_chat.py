import pytest

from accord.escalation import services
from accord.escalation.choices import NotificationStatus
from accord.lib.errors import InvalidInput
from tests.conftest import NOW
from tests.escalation.conftest import enqueue


def chat_channel(admin_user, kind, url):
    return services.create_channel(by=admin_user, name=kind.title(), kind=kind, now=NOW,
                                   config={"url": url})


def test_slack_gets_a_fallback_text_and_blocks(admin_user, receiver):
    channel = chat_channel(admin_user, "slack", receiver.url)
    enqueue(channel, payload={"level": "L3"})

    services.deliver_due(NOW)

    message = receiver.json()
    assert message["text"] == "P1 ticket INC-1 at 90 %\nResolve soon."
    header, section, context = message["blocks"]
    assert header == {"type": "header",
                      "text": {"type": "plain_text", "text": "P1 ticket INC-1 at 90 %"}}
    assert section == {"type": "section", "text": {"type": "mrkdwn", "text": "Resolve soon."}}
    assert context["elements"][0]["text"].startswith("Escalation L3")


def test_teams_gets_an_adaptive_card(admin_user, receiver):
    channel = chat_channel(admin_user, "teams", receiver.url)
    enqueue(channel, payload={"level": "L2"})

    services.deliver_due(NOW)

    message = receiver.json()
    assert message["type"] == "message"
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    title, text, facts = card["body"]
    assert title["text"] == "P1 ticket INC-1 at 90 %" and title["weight"] == "Bolder"
    assert text == {"type": "TextBlock", "text": "Resolve soon.", "wrap": True}
    assert facts["facts"] == [{"title": "Level", "value": "L2"}]


def test_an_archived_slack_channel_is_a_permanent_failure(admin_user, receiver):
    receiver.statuses = [410]
    channel = chat_channel(admin_user, "slack", receiver.url)
    notification = enqueue(channel)

    services.deliver_due(NOW)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DEAD


@pytest.mark.parametrize(
    ("kind", "config", "field"),
    [
        ("slack", {}, "config.url"),
        ("slack", {"url": "ftp://hooks.example/x"}, "config.url"),
        ("teams", {"url": "https://example.com", "colour": "red"}, "config.colour"),
        ("webhook", {"url": "https://example.com"}, "config.secret"),
        ("webhook", {"url": "https://example.com", "secret": "short"}, "config.secret"),
        ("webhook", {"url": "https://x.example", "secret": "a" * 20, "timeout": 90},
         "config.timeout"),
        ("email", {"addresses": ["ok@example.com", "not-an-address"]}, "config.addresses.1"),
        ("email", {"addresses": "ok@example.com"}, "config.addresses"),
        ("pager", {}, "kind"),
    ],
)
def test_each_kind_checks_its_own_config(admin_user, kind, config, field):
    with pytest.raises(InvalidInput) as caught:
        services.create_channel(by=admin_user, name="Bad", kind=kind, config=config, now=NOW)
    assert caught.value.field == field
