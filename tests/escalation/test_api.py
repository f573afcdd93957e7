import pytest

from accord.accounts.models import AuditEntry
from accord.agreements.models import Agreement
from accord.escalation import services
from accord.escalation.models import Channel, Notification
from tests.conftest import NOW
from tests.escalation.conftest import SECRET, enqueue


@pytest.fixture
def hook(receiver):
    return {"name": "Ops", "kind": "webhook",
            "config": {"url": receiver.url + "?token=abc", "secret": SECRET}}


def test_an_administrator_creates_a_channel_whose_secret_is_never_shown(admin_user, api, hook):
    created = api(admin_user).post("channels", hook)

    assert created.status_code == 201
    assert created.data["config"]["secret"] == "set"
    assert "token=abc" not in created.content.decode()
    listed = api(admin_user).get("channels")
    assert SECRET not in listed.content.decode()
    # The audit trail does not keep it either.
    audit = AuditEntry.objects.get(content_type__model="channel", action="create")
    assert SECRET not in str(audit.changes)
    # The stored config is complete, with the default timeout filled in.
    assert Channel.objects.get().config["timeout"] == 10.0


def test_only_administrators_change_channels(slm, reader, customer_user, api, hook):
    assert api(slm).post("channels", hook).status_code == 403
    assert api(reader).get("channels").status_code == 200
    assert api(customer_user).get("channels").status_code == 403
    assert api(None).get("channels").status_code == 401


def test_a_bad_config_is_refused_naming_the_field(admin_user, api, hook):
    hook["config"]["url"] = "javascript:alert(1)"

    response = api(admin_user).post("channels", hook)

    assert response.status_code == 422
    assert response.data["detail"][0]["loc"] == ["body", "config", "url"]
    assert not Channel.objects.exists()


def test_patching_a_config_keeps_the_secret(admin_user, api, hook, receiver):
    channel_id = api(admin_user).post("channels", hook).data["id"]

    patched = api(admin_user).patch(f"channels/{channel_id}",
                                    {"config": {"timeout": 5}, "enabled": False})

    assert patched.status_code == 200
    assert patched.data["enabled"] is False
    assert Channel.objects.get().config == {"url": receiver.url + "?token=abc",
                                            "secret": SECRET, "timeout": 5.0}


def test_a_channel_with_history_cannot_be_deleted(admin_user, api, webhook):
    enqueue(webhook)
    assert api(admin_user).delete(f"channels/{webhook.pk}").status_code == 409

    Notification.objects.all().delete()
    assert api(admin_user).delete(f"channels/{webhook.pk}").status_code == 204
    assert api(admin_user).get(f"channels/{webhook.pk}").status_code == 404


def test_a_test_message_is_sent_once_and_reported(admin_user, api, webhook, receiver):
    ok = api(admin_user).post(f"channels/{webhook.pk}/test")
    assert ok.status_code == 200
    assert ok.data["status"] == "delivered" and ok.data["deliveries"][0]["status_code"] == 200

    receiver.statuses = [500]
    failed = api(admin_user).post(f"channels/{webhook.pk}/test")
    # A failed test is not retried: it is dead at once, with the reason.
    assert failed.data["status"] == "dead" and failed.data["attempts"] == 1
    assert failed.data["last_error"].startswith("HTTP 500")
    assert len(receiver.hits) == 2
    assert services.deliver_due(NOW.replace(year=2100)) == 0


def test_notifications_are_listed_and_filtered_for_staff_only(
        webhook, api, reader, customer_user):
    enqueue(webhook, key="a")
    enqueue(webhook, key="b")
    services.deliver_due(NOW, limit=1)

    everything = api(reader).get("notifications")
    assert everything.data["count"] == 2
    delivered = api(reader).get("notifications?status=delivered")
    assert [n["idempotency_key"] for n in delivered.data["items"]] == ["a"]
    detail = api(reader).get(f"notifications/{delivered.data['items'][0]['id']}")
    assert detail.data["deliveries"][0]["ok"] is True
    assert api(reader).get("notifications?status=lost").status_code == 422
    assert api(customer_user).get("notifications").status_code == 403
    assert api(reader).get("notifications/999").status_code == 404


def test_a_service_level_manager_writes_a_policy_with_steps(slm, owner, api, webhook):
    sla = Agreement.objects.create(name="Web Shop SLA", kind="sla", created_at=NOW)
    body = {"name": "P1 default", "agreement_id": sla.pk, "steps": [
        {"threshold": 75, "level": "L1", "recipients": ["service_owner"],
         "channel_ids": [webhook.pk]},
        {"threshold_kind": "minutes_before_due", "threshold": 30, "level": "L3",
         "recipients": ["role:service_level_manager", "leadership"], "requires_ack": True},
    ]}
    assert api(owner).post("escalation-policies", body).status_code == 403

    created = api(slm).post("escalation-policies", body)

    assert created.status_code == 201
    steps = created.data["steps"]
    assert [(s["threshold_kind"], s["threshold"], s["level"]) for s in steps] == [
        ("minutes_before_due", 30, "L3"), ("percent_used", 75, "L1")]
    assert steps[1]["channel_ids"] == [webhook.pk]

    # Replacing the steps keeps the row of a threshold that stays.
    kept_id = steps[1]["id"]
    patched = api(slm).patch(f"escalation-policies/{created.data['id']}", {"steps": [
        {"threshold": 75, "level": "L2"}, {"threshold": 100, "level": "L4"}]})
    assert patched.status_code == 200
    assert [(s["id"] == kept_id, s["level"]) for s in patched.data["steps"]] == [
        (True, "L2"), (False, "L4")]
    audit = api(slm).get(
        f"audit?object_type=escalation.escalationpolicy&object_id={created.data['id']}")
    assert [e["action"] for e in audit.data["items"]] == ["update", "create"]


@pytest.mark.parametrize(
    ("step", "loc"),
    [
        ({"threshold": 0}, ["body", "steps", 1, "threshold"]),
        ({"threshold": 50, "recipients": ["user:ghost"]},
         ["body", "steps", 1, "recipients", 0]),
        ({"threshold": 50, "channel_ids": [404]}, ["body", "steps", 1, "channel_ids"]),
        ({"threshold": 90}, ["body", "steps", 1, "threshold"]),  # two steps at 90 %
        # Schema errors come from ninja, which names the parameter and counts in integers.
        ({"threshold": 50, "level": "L9"}, ["body", "payload", "steps", 1, "level"]),
    ],
)
def test_a_bad_step_is_refused_naming_it_and_nothing_is_written(admin_user, api, step, loc):
    body = {"name": "Broken", "steps": [{"threshold": 90}, step]}

    response = api(admin_user).post("escalation-policies", body)

    assert response.status_code == 422
    assert response.data["detail"][0]["loc"] == loc
    assert api(admin_user).get("escalation-policies").data["count"] == 0


@pytest.fixture
def escalation(admin_user, owner, webhook):
    policy = services.create_policy(by=admin_user, name="Default", now=NOW, steps=[
        {"threshold": 90, "level": "L2", "recipients": ["service_owner"], "requires_ack": True,
         "channel_ids": [webhook.pk]}])
    return services.fire_step(policy.steps.get(), key="clock-1:90", clock_ref="clock-1",
                              subject="INC-1 at 90 %", body="Hurry.", now=NOW)


def test_escalations_are_listed_acknowledged_once_and_decided(
        escalation, api, owner, reader, customer_user):
    listed = api(reader).get("escalations?open=true&level=L2")
    assert [e["id"] for e in listed.data["items"]] == [escalation.pk]
    assert api(customer_user).get("escalations").status_code == 403
    assert api(reader).post(f"escalations/{escalation.pk}/acknowledge").status_code == 403

    acked = api(owner).post(f"escalations/{escalation.pk}/acknowledge")
    assert acked.status_code == 200 and acked.data["acknowledged_by"] == "oscar"
    twice = api(owner).post(f"escalations/{escalation.pk}/acknowledge")
    assert twice.status_code == 409 and "already acknowledged by oscar" in str(twice.data)

    decided = api(owner).post(f"escalations/{escalation.pk}/decision",
                              {"recovery_owner_id": owner.pk,
                               "action_taken": "Failed over to the standby database."})
    assert decided.status_code == 200
    assert decided.data["recovery_owner_id"] == owner.pk
    assert decided.data["decided_by"] == "oscar"
    assert api(reader).get("escalations?open=true").data["count"] == 0


def test_a_decision_needs_a_staff_owner_and_an_action(escalation, api, owner, customer_user):
    not_staff = api(owner).post(f"escalations/{escalation.pk}/decision",
                                {"recovery_owner_id": customer_user.pk, "action_taken": "x"})
    assert not_staff.status_code == 422
    assert not_staff.data["detail"][0]["loc"] == ["body", "recovery_owner_id"]
    blank = api(owner).post(f"escalations/{escalation.pk}/decision",
                            {"recovery_owner_id": owner.pk, "action_taken": "   "})
    assert blank.data["detail"][0]["loc"] == ["body", "action_taken"]
    assert api(owner).post("escalations/999/acknowledge").status_code == 404
