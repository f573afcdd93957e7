import pytest
from django.core import mail

from accord.catalogue.models import Customer, Team
from accord.escalation import services
from accord.escalation.models import Escalation, Notification
from accord.escalation.recipients import Context, clean_recipients
from accord.lib.errors import InvalidInput
from tests.conftest import NOW


@pytest.fixture
def channels(admin_user, receiver):
    mail_channel = services.create_channel(
        by=admin_user, name="Mail", kind="email", now=NOW,
        config={"addresses": ["duty@example.com"]},
    )
    slack = services.create_channel(by=admin_user, name="Slack #ops", kind="slack", now=NOW,
                                    config={"url": receiver.url})
    return mail_channel, slack


@pytest.fixture
def step(admin_user, slm, channels):
    policy = services.create_policy(by=admin_user, name="Default", now=NOW, steps=[
        {"threshold": 90, "level": "L2", "requires_ack": True,
         "recipients": ["service_owner", "role:service_level_manager", "team"],
         "channel_ids": [c.pk for c in channels]},
    ])
    return policy.steps.get()


def fire(step, context, key="clock-1:90:1"):
    return services.fire_step(
        step, key=key, clock_ref="clock-1", ticket_ref="INC-1", context=context, now=NOW,
        subject="INC-1 has used 90 % of its resolution target",
        body="Web Shop P1: 7 h 12 min of 8 h used.",
    )


def test_firing_a_step_records_the_escalation_and_fills_the_outbox(step, owner, slm, receiver):
    team = Team.objects.create(name="Web team", email="web-team@example.com")

    escalation = fire(step, Context(service_owner=owner, team=team))

    assert escalation.level == "L2" and escalation.requires_ack and escalation.awaiting_ack
    assert [r["label"] for r in escalation.recipients] == ["oscar", "sam", "Web team"]
    # Email: one message per person or address, plus the channel's own address.
    mailed = Notification.objects.filter(channel__kind="email")
    assert sorted(mailed.values_list("recipient", flat=True)) == [
        "duty@example.com", "oscar@example.com", "sam@example.com", "web-team@example.com"]
    # Chat: one message naming who is concerned.
    chat = Notification.objects.get(channel__kind="slack")
    assert chat.recipient == "oscar, sam, Web team"
    assert chat.payload["level"] == "L2" and chat.payload["escalation_id"] == escalation.pk

    services.deliver_due(NOW)
    assert len(mail.outbox) == 4
    assert "Please acknowledge" in mail.outbox[0].alternatives[0][0]
    assert receiver.json()["blocks"][2]["elements"][0]["text"].startswith("Escalation L2")


def test_a_step_fires_once_per_key(step, owner):
    first = fire(step, Context(service_owner=owner))
    again = fire(step, Context(service_owner=owner))

    assert again.pk == first.pk
    assert Escalation.objects.count() == 1
    assert Notification.objects.count() == 4  # owner, sam and duty@ by mail; one chat message


def test_disabled_channels_are_left_out_when_firing(step, owner, channels, admin_user):
    services.update_channel(channels[1], by=admin_user, enabled=False)

    fire(step, Context(service_owner=owner))

    assert not Notification.objects.filter(channel=channels[1]).exists()


def test_customer_contacts_and_leadership_resolve_to_people(slm, channels, admin_user):
    customer = Customer.objects.create(name="Retail")
    customer.contacts.add(admin_user)
    policy = services.create_policy(by=admin_user, name="Retail", now=NOW, steps=[
        {"threshold": 100, "level": "L4", "recipients": ["customer_contact", "leadership"],
         "channel_ids": [channels[0].pk]},
    ])

    escalation = fire(policy.steps.get(), Context(customer=customer))

    # The same person reached twice is notified once.
    assert escalation.recipients == [
        {"spec": "customer_contact", "label": "ada", "email": "ada@example.com"}]


@pytest.mark.parametrize(
    ("specs", "field", "message"),
    [
        (["service_owner", "user:nobody"], "recipients.1", "no active user"),
        (["role:emperor"], "recipients.0", "role 'emperor'"),
        (["the boss"], "recipients.0", "not user:<name>"),
        ("team", "recipients", "must be a list"),
    ],
)
def test_recipient_specs_are_checked(db, specs, field, message):
    with pytest.raises(InvalidInput, match=message) as caught:
        clean_recipients(specs)
    assert caught.value.field == field
