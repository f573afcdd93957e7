"""The survey link: sent once per ticket and resolution through the outbox, signed, expiring,
single-use; another ticket's link, a bad signature and an expired link are refused."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from accord.agreements import services as agreements
from accord.escalation.models import Notification
from accord.escalation.services import create_channel
from accord.experience import survey
from accord.experience.models import Feedback, SurveyInvite
from accord.measurement.models import Ticket
from tests.reporting.conftest import HOUR, clock

from .conftest import NOW, add_target, sign


@pytest.fixture
def resolved(sla, slm, world, admin_user):
    """A ticket of Acme resolved an hour ago under an SLA that sends surveys."""
    agreements.update_agreement(sla, by=slm, now=NOW, survey_on_resolve=True)
    p1 = add_target(sla, slm, priority="P1", duration_seconds=4 * HOUR)
    sign(sla.latest_version(), slm)
    create_channel(by=admin_user, name="Mail", kind="email", now=NOW,
                   config={"addresses": ["desk@example.com"]})
    now = timezone.now()
    ticket = Ticket.objects.create(source="desk", ticket_id="T-7", customer=world["acme"],
                                   service=world["shop"], priority="P1", stage="resolved",
                                   opened_at=now - 3 * timedelta(hours=1),
                                   resolved_at=now - timedelta(hours=1),
                                   payload={"requester_email": "ann@acme.test"})
    p1.refresh_from_db()
    clock(p1, "met", now - timedelta(hours=3), stopped=now - timedelta(hours=1), ticket=ticket)
    return ticket


def link(ticket) -> str:
    (note,) = Notification.objects.filter(idempotency_key__startswith=f"survey:{ticket.pk}:")
    return urlparse(note.payload["survey_url"]).path


def test_the_worker_sends_one_survey_per_resolution(resolved):
    now = timezone.now()
    assert survey.invite_next(now, "w") is True
    assert survey.invite_next(now, "w") is False  # picked up once
    (note,) = Notification.objects.all()
    assert note.recipient == "ann@acme.test"
    assert "/survey/" in note.body
    # Reopened and resolved again: a new cycle, a new survey.
    Ticket.objects.filter(pk=resolved.pk).update(resolved_at=now - timedelta(minutes=5))
    assert survey.invite_next(now, "w") is True
    assert Notification.objects.count() == 2


def test_no_survey_without_the_agreement_setting(resolved, sla):
    type(sla).objects.filter(pk=sla.pk).update(survey_on_resolve=False)
    assert survey.invite_next(timezone.now(), "w") is True
    assert not Notification.objects.exists()
    assert SurveyInvite.objects.get().state == "skipped"


def test_the_requester_answers_once_without_an_account(resolved, client):
    survey.invite_next(timezone.now(), "w")
    path = link(resolved)
    page = client.get(path)
    assert page.status_code == 200 and b"How did we do?" in page.content
    bad = client.post(path, {"score": "9"})
    assert bad.status_code == 422 and not Feedback.objects.exists()
    answered = client.post(path, {"score": "4", "comment": "Quick and kind"})
    assert answered.status_code == 302
    stored = Feedback.objects.get()
    assert (stored.kind, stored.score, stored.scale, stored.ticket) == ("csat", 4, 5, resolved)
    assert stored.text == "Quick and kind"
    shown = client.get(path)
    assert b"4 of 5" in shown.content and b"Quick and kind" in shown.content
    again = client.post(path, {"score": "1", "comment": "changed my mind"})
    assert again.status_code == 409
    assert Feedback.objects.get().score == 4  # the first answer stands


def test_a_bad_signature_another_ticket_and_an_expired_link_are_refused(resolved, client,
                                                                        world):
    survey.invite_next(timezone.now(), "w")
    path = link(resolved)
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert client.get(path[:-3] + "xx/").status_code == 403
    other = Ticket.objects.create(source="desk", ticket_id="T-8", customer=world["acme"])
    assert client.get(f"/survey/{other.pk}/{token}/").status_code == 403
    assert client.post(f"/survey/{other.pk}/{token}/", {"score": "5"}).status_code == 403
    SurveyInvite.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(path).status_code == 410
    assert client.post(path, {"score": "5"}).status_code == 410
    assert not Feedback.objects.exists()


def test_the_ticket_page_shows_the_answer(resolved, client, slm):
    survey.invite_next(timezone.now(), "w")
    client.post(link(resolved), {"score": "2", "comment": "Took a week"})
    client.force_login(slm)
    page = client.get(f"/tickets/{resolved.pk}/")
    assert page.status_code == 200
    assert b"2 / 5" in page.content and b"Took a week" in page.content


def test_the_survey_step_finds_the_next_resolution_through_an_index(db):
    from django.db import connection, transaction

    # On a real table the worker's step runs every loop: it must not scan every ticket.
    # (The planner prefers a scan on a tiny table, so PostgreSQL is told scans are costly.)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        plan = survey.resolved_unhandled(NOW)[:1].explain()

    assert "ticket_resolved" in plan, plan
