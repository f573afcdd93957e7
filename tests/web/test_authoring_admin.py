"""Administrator authoring in the app: calendars (hours, holidays by country, half days,
closures), escalation policies with steps and channels. Service level managers may read
policies but not change them; errors sit next to the field and change nothing."""

import pytest

from accord.catalogue.models import Calendar
from accord.escalation.models import Channel, EscalationPolicy
from tests.web.conftest import login


def calendar_post(**extra):
    data = {"name": "Paris office", "description": "", "tz": "Europe/Paris",
            "country": "FR", "subdivision": "", "holidays": "2025-05-02",
            "exceptions": "2025-12-24 09:00-12:00",
            "closures": "2025-06-03T10:00+02:00 2025-06-03T12:00+02:00",
            **{f"hours_{d}": "09:00-12:30, 13:30-17:00" for d in ("mon", "tue", "wed", "thu",
                                                                  "fri")}}
    data.update(extra)
    return data


def test_an_administrator_creates_a_calendar(client, admin_user):
    login(client, admin_user)
    response = client.post("/calendars/new", calendar_post())

    calendar = Calendar.objects.get(name="Paris office")
    assert response.status_code == 302
    assert calendar.hours["mon"] == [["09:00", "12:30"], ["13:30", "17:00"]]
    assert (calendar.tz, calendar.country, calendar.holidays) == ("Europe/Paris", "FR",
                                                                  ["2025-05-02"])
    assert calendar.exceptions == {"2025-12-24": [["09:00", "12:00"]]}
    assert len(calendar.closures) == 1


def test_a_bad_time_zone_is_named_and_nothing_is_created(client, admin_user):
    login(client, admin_user)
    response = client.post("/calendars/new", calendar_post(tz="Europe/Atlantis"))
    assert response.status_code == 422
    assert "is not an IANA time zone" in response.context["form"].errors["tz"][0]
    assert not Calendar.objects.exists()


def test_a_service_level_manager_may_not_create_calendars(client, slm):
    login(client, slm)
    assert client.get("/calendars/new").status_code == 403


def test_an_administrator_creates_a_webhook_channel_and_keeps_its_secret(client, admin_user):
    login(client, admin_user)
    response = client.post("/channels/new", {
        "name": "Ops hook", "kind": "webhook", "enabled": "on",
        "url": "http://127.0.0.1:9/hook", "secret": "s" * 20})
    channel = Channel.objects.get()
    assert response.status_code == 302
    assert channel.config["secret"] == "s" * 20

    # Editing without retyping the secret keeps it; a bad URL is named on its field.
    client.post(f"/channels/{channel.pk}/", {"name": "Ops hook 2", "kind": "webhook",
                                             "enabled": "on", "url": "", "secret": ""})
    channel.refresh_from_db()
    assert (channel.name, channel.config["secret"]) == ("Ops hook 2", "s" * 20)
    response = client.post(f"/channels/{channel.pk}/", {"name": "x", "kind": "webhook",
                                                        "url": "ftp://nope", "secret": ""})
    assert response.status_code == 422
    assert "http(s) URL" in response.context["form"].errors["url"][0]
    # The secret never reaches the page.
    assert "s" * 20 not in client.get(f"/channels/{channel.pk}/").content.decode()


def test_an_administrator_writes_a_policy_with_steps(client, admin_user, slm):
    channel = Channel.objects.create(name="Mail", kind="email", config={"addresses": []},
                                     created_at="2025-01-01T00:00Z")
    login(client, admin_user)
    response = client.post("/escalation-policies/new", {
        "name": "Default", "description": "",
        "s0_threshold_kind": "percent_used", "s0_threshold": "75", "s0_level": "L1",
        "s0_recipients": "service_owner", "s0_channels": [channel.pk],
        "s1_threshold_kind": "minutes_before_due", "s1_threshold": "30", "s1_level": "L2",
        "s1_recipients": "role:service_level_manager, leadership", "s1_requires_ack": "on"})
    policy = EscalationPolicy.objects.get()
    assert response.status_code == 302
    steps = list(policy.steps.order_by("level"))
    assert [(s.threshold_kind, s.threshold, s.level) for s in steps] == [
        ("percent_used", 75, "L1"), ("minutes_before_due", 30, "L2")]
    assert steps[1].recipients == ["role:service_level_manager", "leadership"]
    assert steps[1].requires_ack and list(steps[0].channels.all()) == [channel]

    response = client.post(f"/escalation-policies/{policy.pk}/", {
        "name": "Default", "s0_threshold_kind": "percent_used", "s0_threshold": "75",
        "s0_level": "L1", "s0_recipients": "user:nobody"})
    assert response.status_code == 422
    assert response.context["form"].errors.get("s0_recipients"), response.context["form"].errors
    assert policy.steps.count() == 2


@pytest.mark.parametrize("path", ["/escalation-policies/", "/escalation-policies/new",
                                  "/channels/new"])
def test_a_service_level_manager_reads_but_may_not_post(client, slm, path):
    login(client, slm)
    assert client.get(path).status_code == 200
    if path != "/escalation-policies/":
        assert client.post(path, {"name": "x"}).status_code == 403
