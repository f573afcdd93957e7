"""The outbox page: dead letters listed and retried by hand, by those allowed to; and the
escalations page."""

import pytest
from django.utils import timezone

from accord.accounts.models import AuditEntry
from accord.escalation import services
from accord.escalation.choices import NotificationStatus
from accord.escalation.models import Escalation
from tests.web.conftest import login


@pytest.fixture
def dead_letter(admin_user):
    """A notification to a disabled channel: the worker gives up on it at once."""
    now = timezone.now()
    channel = services.create_channel(by=admin_user, name="Ops hook", kind="webhook", now=now,
                                      config={"url": "http://127.0.0.1:9/hook", "secret": "s" * 32},
                                      enabled=False)
    notification = services.enqueue(channel, "", "P1 ticket INC-7 at 90 %", "Resolve soon.",
                                    "", {"ticket": "INC-7"}, "n-7", now)
    services.enqueue(channel, "", "P3 ticket INC-8 at 50 %", "FYI.", "", {"ticket": "INC-8"},
                     "n-8", now + timezone.timedelta(hours=1))
    services.deliver_due(now)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DEAD
    return notification


def test_the_outbox_lists_dead_letters_with_a_retry_button_for_managers(client, slm,
                                                                        dead_letter):
    login(client, slm)

    everything = client.get("/notifications/").content.decode()
    dead = client.get("/notifications/?status=dead").content.decode()

    assert "INC-7" in everything and "INC-8" in everything
    assert "INC-7" in dead and "INC-8" not in dead
    assert f'action="/notifications/{dead_letter.pk}/retry"' in dead
    assert "is disabled" in dead  # the last error says why


def test_a_reader_cannot_retry_a_dead_letter(client, reader, dead_letter):
    login(client, reader)

    page = client.get("/notifications/?status=dead").content.decode()
    response = client.post(f"/notifications/{dead_letter.pk}/retry")

    assert "INC-7" in page and "/retry" not in page
    assert response.status_code == 403
    dead_letter.refresh_from_db()
    assert dead_letter.status == NotificationStatus.DEAD
    assert not AuditEntry.objects.filter(object_id=str(dead_letter.pk),
                                         message="dead letter retried").exists()


def test_a_service_level_manager_retries_a_dead_letter(client, slm, dead_letter):
    login(client, slm)

    response = client.post(f"/notifications/{dead_letter.pk}/retry", follow=True)

    dead_letter.refresh_from_db()
    assert dead_letter.status == NotificationStatus.PENDING
    assert "is back in the outbox" in response.content.decode()
    entry = AuditEntry.objects.get(message="dead letter retried")
    assert entry.actor == slm.username and entry.object_id == str(dead_letter.pk)


def test_a_retry_goes_back_to_the_filtered_outbox_but_never_off_site(client, slm,
                                                                      dead_letter):
    login(client, slm)

    back = client.post(f"/notifications/{dead_letter.pk}/retry",
                       {"next": "/notifications/?status=dead"})
    assert back["Location"] == "/notifications/?status=dead"
    # A forged form cannot turn the button into a redirect to another site.
    for elsewhere in ("https://evil.example/", "//evil.example/"):
        response = client.post(f"/notifications/{dead_letter.pk}/retry", {"next": elsewhere})
        assert response["Location"] == "/notifications/"


def test_retrying_what_is_not_a_dead_letter_says_so(client, slm, dead_letter):
    services.retry_dead(dead_letter, by=slm, now=timezone.now())
    login(client, slm)

    response = client.post(f"/notifications/{dead_letter.pk}/retry", follow=True)

    assert "not a dead letter" in response.content.decode()


def test_portal_users_do_not_see_the_outbox(client, customer_user, dead_letter):
    login(client, customer_user)

    assert client.get("/notifications/").status_code == 403
    assert client.post(f"/notifications/{dead_letter.pk}/retry").status_code == 403
    assert "Notifications" not in client.get("/").content.decode()


def test_escalations_are_acknowledged_by_hand(client, owner, reader):
    escalation = Escalation.objects.create(
        key="e-1", level="L2", clock_ref="clock 1", ticket_ref="INC-9",
        subject="INC-9 resolution at 90 %", at=timezone.now(), requires_ack=True)

    page = login(client, reader).get("/escalations/").content.decode()
    assert "INC-9 resolution at 90 %" in page and "awaiting" in page
    assert client.post(f"/escalations/{escalation.pk}/acknowledge").status_code == 403

    login(client, owner).post(f"/escalations/{escalation.pk}/acknowledge")
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == owner
