"""Firing escalation steps from stored SLA clocks, with time passed in (never slept)."""

import pytest
from django.db import transaction

from accord.escalation.models import Escalation, Notification
from accord.escalation.services import fire_due
from tests.escalation.clock_world import at, build_world, clock_of, event, opened, send


def levels():
    return list(Escalation.objects.order_by("at", "level").values_list("level", flat=True))


def test_each_threshold_fires_once_at_its_instant(world):
    send(opened("03 09:00"), now=at("03 09:00"))  # P1: 4 hours, 24x7
    assert clock_of().next_event_at == at("03 11:00")  # 50 %

    assert fire_due(at("03 10:59")) == 0  # nothing due yet: the clock is not even read
    assert fire_due(at("03 11:00")) == 1
    assert fire_due(at("03 11:00")) == 0 and fire_due(at("03 11:30")) == 0
    assert levels() == ["L1"]

    fire_due(at("03 12:00"))  # 75 %
    fire_due(at("03 12:00"))
    fire_due(at("03 12:40"))  # 90 % was at 12:36
    assert levels() == ["L1", "L2", "L3"]
    clock = clock_of()
    assert clock.percent == pytest.approx(100 * 220 / 240)
    assert set(clock.warnings) == {"50", "75", "90"}
    assert clock.next_event_at == at("03 13:00")  # the L4 step at 100 %: the due instant

    fire_due(at("03 13:05"))
    fire_due(at("03 15:00"))
    # Each step fired once; each wrote one outbox row (the duty address).
    assert levels() == ["L1", "L2", "L3", "L4"]
    assert Notification.objects.count() == 4
    assert set(Notification.objects.values_list("recipient", flat=True)) == {"duty@example.com"}
    clock = clock_of()
    assert clock.state == "breached" and clock.next_event_at is None


def test_the_breach_opens_a_follow_up_action(world):
    send(opened("03 09:00"), now=at("03 09:00"))

    fire_due(at("03 13:30"))

    breach = Escalation.objects.get(level="L4")
    assert breach.follow_up["status"] == "open" and breach.follow_up["kind"] == "breach"
    assert breach.clock == clock_of() and breach.follow_up["clock_id"] == clock_of().pk
    # The warnings before it open none.
    assert Escalation.objects.filter(follow_up__isnull=False).count() == 1


def test_a_worker_that_was_away_fires_everything_due_at_once_in_order(world):
    send(opened("03 09:00"), now=at("03 09:00"))

    fire_due(at("03 12:50"))

    assert levels() == ["L1", "L2", "L3"]
    assert Escalation.objects.get(level="L1").subject.startswith("INC1:")


def test_a_pause_delays_the_thresholds(world):
    send(opened("03 09:00"), now=at("03 09:00"))
    send(event(2, "03 10:00", "status_changed", status="Waiting for customer"),
         now=at("03 10:00"))
    assert clock_of().state == "paused" and clock_of().next_event_at is None

    assert fire_due(at("03 11:30")) == 0
    send(event(3, "03 12:00", "status_changed", status="In progress"), now=at("03 12:00"))
    # One hour used before the pause: 50 % comes one more hour after the resume.
    assert clock_of().next_event_at == at("03 13:00")
    fire_due(at("03 12:59"))
    assert levels() == []
    fire_due(at("03 13:00"))
    assert levels() == ["L1"]


def test_a_clock_met_before_a_threshold_never_fires_it(world):
    send(opened("03 09:00"), now=at("03 09:00"))
    fire_due(at("03 11:10"))  # L1 at 50 %
    send(event(2, "03 11:30", "resolved", status="Resolved"), now=at("03 11:30"))

    fire_due(at("03 12:00"))
    fire_due(at("03 16:00"))

    assert levels() == ["L1"]
    assert clock_of().state == "met"


def test_a_retroactive_priority_change_fires_what_is_due_at_once(world):
    send(opened("03 09:00", priority="P3"), now=at("03 09:00"))
    fire_due(at("03 12:12"))
    assert levels() == []  # P3 has 72 hours

    # At 12:12 the ticket turns out to be a P1 since it opened: 3 h 12 min of 4 h used.
    send(event(2, "03 12:12", "updated", priority="P1"), now=at("03 12:12"))
    fire_due(at("03 12:12"))

    assert levels() == ["L1", "L2"]
    fire_due(at("03 12:36"))
    assert levels() == ["L1", "L2", "L3"]


def test_the_outbox_row_is_written_in_the_firing_transaction(world):
    send(opened("03 09:00"), now=at("03 09:00"))
    planned = clock_of().next_event_at

    with pytest.raises(RuntimeError), transaction.atomic():
        fire_due(at("03 11:00"))
        assert Escalation.objects.count() == 1 and Notification.objects.count() == 1
        raise RuntimeError("the process dies before the commit")

    # Both rolled back together, and the clock is still due: nothing fired, nothing lost.
    assert Escalation.objects.count() == 0 and Notification.objects.count() == 0
    assert clock_of().next_event_at == planned
    fire_due(at("03 11:00"))
    assert levels() == ["L1"] and Notification.objects.count() == 1


def test_a_clock_without_a_policy_is_brought_up_to_date_without_firing(db, slm):
    build_world(slm, steps=[])["policy"].delete()
    send(opened("03 09:00"), now=at("03 09:00"))

    fire_due(at("03 11:00"))

    clock = clock_of()
    assert levels() == [] and set(clock.warnings) == {"50"}
    assert clock.next_event_at == at("03 12:00")  # the next warning


def test_only_the_services_owner_or_a_manager_answers_a_clock_escalation(world, slm, owner):
    from accord.catalogue.models import Service
    from accord.escalation.services import acknowledge
    from accord.lib.errors import Forbidden

    send(opened("03 09:00"), now=at("03 09:00"))
    fire_due(at("03 11:00"))
    fired = Escalation.objects.get()

    # Oscar owns services, but not the Web Shop: the escalation is not his to answer.
    with pytest.raises(Forbidden):
        acknowledge(fired, by=owner, now=at("03 11:05"))
    Service.objects.filter(name="Web Shop").update(owner=owner)
    fired.refresh_from_db()
    acknowledge(fired, by=owner, now=at("03 11:05"))
    fired.refresh_from_db()
    assert fired.acknowledged_by == owner
