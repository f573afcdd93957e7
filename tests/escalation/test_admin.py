import json

from accord.accounts.models import AuditEntry
from accord.escalation import services
from accord.escalation.models import Channel
from tests.conftest import NOW
from tests.escalation.conftest import enqueue


def test_staff_retry_dead_letters_from_the_admin_with_an_audit_row(client, slm, webhook,
                                                                   receiver):
    receiver.statuses = [400]
    notification = enqueue(webhook)
    services.deliver_due(NOW)
    client.force_login(slm)

    listing = client.get("/admin/escalation/notification/?status__exact=dead")
    assert listing.status_code == 200 and notification.subject in listing.content.decode()
    page = client.get(f"/admin/escalation/notification/{notification.pk}/change/")
    assert "Delivery attempts" in page.content.decode()  # the attempt rows are shown

    client.post("/admin/escalation/notification/",
                {"action": "retry", "_selected_action": [notification.pk]})

    notification.refresh_from_db()
    assert notification.status == "pending"
    assert AuditEntry.objects.filter(content_type__model="notification", actor="sam").exists()
    services.deliver_due(notification.next_attempt_at)  # due from the moment of the retry
    notification.refresh_from_db()
    assert notification.status == "delivered"


def test_the_admin_validates_channel_configs_and_audits_saves(client, admin_user):
    client.force_login(admin_user)
    form = {"name": "Chat", "kind": "slack", "config": json.dumps({"url": "not a url"}),
            "enabled": "on"}

    refused = client.post("/admin/escalation/channel/add/", form)
    assert refused.status_code == 200 and "config.url" in refused.content.decode()
    assert not Channel.objects.exists()

    form["config"] = json.dumps({"url": "https://hooks.slack.com/services/T0/B0/xyz"})
    client.post("/admin/escalation/channel/add/", form)
    channel = Channel.objects.get()
    assert channel.config == {"url": "https://hooks.slack.com/services/T0/B0/xyz",
                              "timeout": 10.0}
    entry = AuditEntry.objects.get(content_type__model="channel")
    assert entry.actor == "ada" and "xyz" not in json.dumps(entry.changes)


def test_only_administrators_may_change_channels_in_the_admin(client, slm):
    client.force_login(slm)
    assert client.get("/admin/escalation/channel/").status_code == 200
    assert client.get("/admin/escalation/channel/add/").status_code == 403


def test_policies_saved_in_the_admin_are_audited_and_keep_one_default(client, admin_user):
    client.force_login(admin_user)
    form = {"name": "Default", "description": "", "agreement": "", "target": "",
            "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0",
            "steps-0-threshold_kind": "percent_used", "steps-0-threshold": "90",
            "steps-0-level": "L2", "steps-0-recipients": '["service_owner"]'}

    client.post("/admin/escalation/escalationpolicy/add/", form)

    entry = AuditEntry.objects.get(content_type__model="escalationpolicy")
    assert entry.actor == "ada"
    assert entry.changes["steps"][1][0]["threshold"] == 90
    form["name"] = "Second default"
    refused = client.post("/admin/escalation/escalationpolicy/add/", form)
    assert "already the global default" in refused.content.decode()
    form.update({"name": "Bad recipients", "steps-0-recipients": '["the boss"]'})
    assert "recipients.0" in client.post("/admin/escalation/escalationpolicy/add/",
                                         form).content.decode()
