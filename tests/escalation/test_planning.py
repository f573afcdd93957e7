"""Which steps a stored clock may fire, by its state (planning is pure: no database)."""

from datetime import UTC, datetime, timedelta

from accord.clock import BusinessCalendar
from accord.escalation.planning import Facts, StepRule, plan

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
H = 3600
ALWAYS = BusinessCalendar.always()
STEPS = [StepRule(1, "percent_used", 50), StepRule(2, "percent_used", 100),
         StepRule(3, "minutes_before_due", 30)]


def facts(state, *, open_, running, elapsed):
    return Facts(state=state, open=open_, running=running, elapsed=elapsed, target=4 * H,
                 as_of=T0 + timedelta(seconds=elapsed), due_at=T0 + timedelta(hours=4),
                 thresholds=(50, 75, 90))


def test_a_running_clock_fires_what_has_come_and_plans_the_next_instant():
    result = plan(facts("running", open_=True, running=True, elapsed=H), ALWAYS, STEPS, set(),
                  T0 + timedelta(hours=2))

    assert [r.id for r in result.due] == [1]
    assert result.percent == 50 and set(result.warnings) == {"50"}
    assert result.next_at == T0 + timedelta(hours=3)  # the 75 % warning comes first


def test_a_paused_clock_fires_only_thresholds_crossed_while_it_ran():
    paused = facts("paused", open_=True, running=False, elapsed=2.5 * H)

    result = plan(paused, ALWAYS, STEPS, set(), T0 + timedelta(hours=9))

    assert [r.id for r in result.due] == [1] and result.next_at is None


def test_a_met_clock_fires_nothing_and_a_stopped_breach_fires_only_its_breach_step():
    met = facts("met", open_=False, running=False, elapsed=3.9 * H)
    breached = facts("breached", open_=False, running=False, elapsed=5 * H)
    later = T0 + timedelta(hours=9)

    assert plan(met, ALWAYS, STEPS, set(), later).due == []
    assert [r.id for r in plan(breached, ALWAYS, STEPS, set(), later).due] == [2]
    assert plan(breached, ALWAYS, STEPS, {2}, later).due == []
