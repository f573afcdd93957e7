"""Agreements move on their own (issue 15, trap 1): the worker activates them when a signed
version takes effect, expires them when the last one ends and starts their review when it
falls due -- once, audited as the system at the instant each move fell due."""

from datetime import UTC, datetime

import pytest

from accord.accounts.services import history
from accord.agreements import services, versions
from accord.agreements.lifecycle import apply_due_transitions
from accord.agreements.models import Agreement
from tests.conftest import NOW

from .conftest import sign

pytestmark = pytest.mark.django_db

Y2010 = datetime(2010, 1, 1, tzinfo=UTC)
Y2013 = datetime(2013, 1, 1, tzinfo=UTC)
JUNE_1 = datetime(2025, 6, 1, tzinfo=UTC)


def _moves(agreement):
    """The worker's moves (people's transitions are audited at the wall clock's time)."""
    return [(e.changes["status"], e.at, e.actor) for e in history(agreement).filter(
        action="transition", actor="system").order_by("at", "id")]


def _dated(draft_sla, slm, **dates):
    versions.update_version(draft_sla.latest_version(), by=slm, now=NOW, **dates)
    sign(draft_sla.latest_version(), slm)
    draft_sla.refresh_from_db()
    assert draft_sla.status == "agreed"
    return draft_sla


def test_an_agreement_whose_period_ended_long_ago_does_not_stay_agreed(draft_sla, slm):
    sla = _dated(draft_sla, slm, effective_from=Y2010, effective_to=Y2013, review_due=None)
    agreed_at = sla.status_changed_at

    moved = apply_due_transitions(NOW)

    assert [(frm, to) for _, frm, to in moved] == [("agreed", "active"), ("active", "expired")]
    sla.refresh_from_db()
    assert sla.status == "expired"
    # Due before it was agreed: moved at the instant it was agreed, never earlier.
    assert _moves(sla) == [(["agreed", "active"], agreed_at, "system"),
                                (["active", "expired"], agreed_at, "system")]


def test_moves_are_audited_at_the_instant_they_fell_due_not_when_noticed(draft_sla, slm):
    sla = _dated(draft_sla, slm, effective_to=JUNE_1)
    later = datetime(2025, 7, 15, tzinfo=UTC)  # the worker was down for weeks

    apply_due_transitions(later)

    sla.refresh_from_db()
    assert (sla.status, sla.status_changed_at) == ("expired", JUNE_1)
    assert _moves(sla) == [(["agreed", "active"], NOW, "system"),
                                (["active", "expired"], JUNE_1, "system")]


def test_each_move_happens_once(draft_sla, slm):
    _dated(draft_sla, slm, effective_to=JUNE_1)

    assert len(apply_due_transitions(NOW)) == 1
    assert apply_due_transitions(NOW) == []
    assert apply_due_transitions(datetime(2025, 5, 1, tzinfo=UTC)) == []
    assert len(apply_due_transitions(JUNE_1)) == 1
    assert [m[0] for m in _moves(draft_sla)] == [["agreed", "active"], ["active", "expired"]]


def test_the_review_falls_due_on_its_own_when_the_agreement_says_so(draft_sla, slm):
    review = datetime(2025, 4, 1, tzinfo=UTC)
    sla = _dated(draft_sla, slm, review_due=review)
    apply_due_transitions(NOW)

    apply_due_transitions(datetime(2025, 4, 2, tzinfo=UTC))

    sla.refresh_from_db()
    assert (sla.status, sla.status_changed_at) == ("under_review", review)


def test_the_agreement_settings_turn_the_moves_off(draft_sla, slm):
    sla = _dated(draft_sla, slm, effective_to=JUNE_1, review_due=datetime(2025, 4, 1, tzinfo=UTC))
    services.update_agreement(sla, by=slm, now=NOW, auto_lifecycle=False, auto_review=False)

    assert apply_due_transitions(datetime(2025, 7, 1, tzinfo=UTC)) == []
    assert Agreement.objects.get(pk=sla.pk).status == "agreed"


def test_a_setting_must_be_a_boolean(draft_sla, slm):
    with pytest.raises(Exception) as err:
        services.update_agreement(draft_sla, by=slm, now=NOW, auto_review="sometimes")
    assert err.value.field == "auto_review"


def test_a_version_signed_ahead_activates_at_its_effective_from(draft_sla, slm):
    april = datetime(2025, 4, 1, tzinfo=UTC)
    sla = _dated(draft_sla, slm, effective_from=april, review_due=None)

    assert apply_due_transitions(NOW) == []  # not yet in effect
    apply_due_transitions(datetime(2025, 4, 2, 8, tzinfo=UTC))

    sla.refresh_from_db()
    assert (sla.status, sla.status_changed_at) == ("active", april)
    assert _moves(sla) == [(["agreed", "active"], april, "system")]


def test_the_settings_are_part_of_the_agreement_api(draft_sla, slm, api):
    response = api(slm).patch(f"agreements/{draft_sla.pk}", {"auto_review": False})

    assert response.status_code == 200, response.data
    assert (response.data["auto_lifecycle"], response.data["auto_review"]) == (True, False)
    bad = api(slm).patch(f"agreements/{draft_sla.pk}", {"auto_lifecycle": "sometimes"})
    assert bad.status_code == 422 and "auto_lifecycle" in str(bad.data)
