"""The worker steps: breach follow-ups become actions once each; the same target breached N
times in a month raises one action (also when two workers race); overdue actions remind the
owner, then the service owner after the grace period. Time is controlled: each step is given
its ``now``."""

from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps as django_apps

from accord.escalation.models import Escalation, Notification
from accord.reviews import actions, steps
from accord.reviews.models import Action, Governance
from tests.conftest import NOW
from tests.reporting.conftest import MARCH_START, clock

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
APRIL_2 = datetime(2025, 4, 2, 12, tzinfo=UTC)  # Acme's April (Tokyo) has begun


def follow_up(gov, breached, n=1):
    return Escalation.objects.create(
        key=f"esc-{n}", level="L2", clock_ref=f"clock:{breached.pk}", clock=breached,
        ticket_ref=breached.ticket.ticket_id, subject=f"{breached.ticket.ticket_id} breached",
        at=NOW, follow_up={"kind": "breach", "status": "open", "clock_id": breached.pk,
                           "agreement_id": gov["sla"].pk, "opened_at": NOW.isoformat()})


def test_a_breach_follow_up_becomes_one_action(gov):
    breached = clock(gov["p1"], "breached", MARCH_START + DAY)
    escalation = follow_up(gov, breached)
    assert steps.follow_ups_to_actions(NOW) is True
    assert steps.follow_ups_to_actions(NOW) is False  # once each
    action = Action.objects.get()
    assert action.clock == breached and action.escalation == escalation
    assert action.owner.username == "sam" and action.due == NOW.date() + 7 * DAY
    escalation.refresh_from_db()
    assert escalation.follow_up["status"] == "action"
    assert escalation.follow_up["action_id"] == action.pk


def test_the_migration_converts_existing_follow_ups(gov):
    import importlib

    migration = importlib.import_module("accord.reviews.migrations.0002_reviews_follow_up_actions")
    breached = clock(gov["p1"], "breached", MARCH_START + DAY)
    escalation = follow_up(gov, breached)
    migration.convert(django_apps, None)
    migration.convert(django_apps, None)  # running it again changes nothing
    action = Action.objects.get()
    assert action.auto_key == f"follow-up:{escalation.pk}" and action.owner.username == "sam"
    escalation.refresh_from_db()
    assert escalation.follow_up["status"] == "action"
    assert steps.follow_ups_to_actions(NOW) is False


def breaches(target, n, start=MARCH_START + DAY):
    return [clock(target, "breached", start + i * DAY) for i in range(n)]


def test_three_breaches_of_one_target_in_a_month_raise_one_action(gov):
    march_end = datetime(2025, 3, 30, tzinfo=UTC)
    breaches(gov["p1"], 2)
    assert steps.repeated_breach_actions(march_end) is False  # two are not yet three
    breaches(gov["p1"], 1, start=MARCH_START + 10 * DAY)
    assert steps.repeated_breach_actions(march_end) is True
    breaches(gov["p1"], 1, start=MARCH_START + 12 * DAY)  # a fourth: still one action
    assert steps.repeated_breach_actions(march_end) is False
    action = Action.objects.get()
    assert action.source == "repeated_breach" and action.agreement == gov["sla"]
    assert "2025-03" in action.title and action.owner.username == "sam"
    # April is a new period: its breaches count afresh.
    assert steps.repeated_breach_actions(APRIL_2) is False


def test_the_threshold_is_per_agreement(gov):
    Governance.objects.create(agreement=gov["sla"], repeated_breaches=2)
    breaches(gov["p2"], 2)
    assert steps.repeated_breach_actions(datetime(2025, 3, 30, tzinfo=UTC)) is True
    assert Action.objects.get().title.startswith(f"{gov['sla'].reference}: P2")


def test_two_workers_raise_it_once(gov, monkeypatch):
    """Both workers saw no action yet (the pre-check is bypassed); the unique key lets only
    one insert win."""
    from django.db.models import QuerySet

    breaches(gov["p1"], 3)
    now = datetime(2025, 3, 30, tzinfo=UTC)
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    first = actions.create_once(key="repeated:x", by=None, now=now, title="a")
    second = actions.create_once(key="repeated:x", by=None, now=now, title="a")
    assert first is not None and second is None
    monkeypatch.undo()
    assert steps.repeated_breach_actions(now) is True
    assert steps.repeated_breach_actions(now) is False
    assert Action.objects.filter(source="repeated_breach").count() == 1


def test_overdue_actions_remind_the_owner_then_the_service_owner(gov, slm, mail):
    action = actions.create_action(by=slm, now=NOW, title="Fix it", owner=slm,
                                   due=NOW.date() + DAY, service=gov["shop"])
    assert steps.overdue_action_reminders(NOW + DAY) is False  # due today: not overdue
    assert steps.overdue_action_reminders(NOW + 2 * DAY) is True
    assert steps.overdue_action_reminders(NOW + 2 * DAY) is False  # once
    sent = Notification.objects.get()
    assert sent.idempotency_key == f"action:{action.pk}:overdue:owner"
    assert sent.recipient == "sam@example.com"
    # The grace period (3 days) passes: the service owner hears, once.
    assert steps.overdue_action_reminders(NOW + 4 * DAY) is False
    assert steps.overdue_action_reminders(NOW + 5 * DAY) is True
    assert steps.overdue_action_reminders(NOW + 6 * DAY) is False
    last = Notification.objects.latest("pk")
    assert last.idempotency_key == f"action:{action.pk}:overdue:service_owner"
    assert last.recipient == "oscar@example.com"


def test_a_closed_action_is_not_reminded(gov, slm, mail):
    action = actions.create_action(by=slm, now=NOW, title="Fix it", owner=slm,
                                   due=NOW.date() + DAY)
    actions.close_action(action, by=slm, evidence="fixed", now=NOW)
    assert steps.overdue_action_reminders(NOW + 10 * DAY) is False
    assert not Notification.objects.exists()


def test_the_steps_are_registered_with_the_worker():
    from accord.escalation.worker import FIRING_STEPS

    assert {steps.follow_ups_to_actions, steps.repeated_breach_actions,
            steps.overdue_action_reminders} <= set(FIRING_STEPS)
