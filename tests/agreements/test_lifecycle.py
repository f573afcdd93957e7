from datetime import UTC, datetime, timedelta

import pytest

from accord.accounts.services import history
from accord.agreements import queries, services, versions
from accord.agreements.models import Agreement
from accord.lib.errors import DomainError, InvalidInput
from tests.conftest import NOW

from .conftest import JAN_1, sign


def _status(agreement):
    return Agreement.objects.get(pk=agreement.pk).status


def _force(agreement, status):
    Agreement.objects.filter(pk=agreement.pk).update(status=status)
    agreement.refresh_from_db()


def test_it_walks_an_agreement_from_draft_to_active_with_an_audit_trail(draft_sla, slm,
                                                                        customer_user):
    services.transition(draft_sla, "in_negotiation", by=slm, now=NOW, reason="sent to Acme")
    sign(draft_sla.latest_version(), slm, customer_user)
    # Both signatures move the agreement to agreed by themselves.
    assert _status(draft_sla) == "agreed"

    services.transition(draft_sla, "active", by=slm, now=NOW)

    assert _status(draft_sla) == "active"
    moves = [e.changes["status"] for e in history(draft_sla) if e.action == "transition"]
    assert moves == [["agreed", "active"], ["in_negotiation", "agreed"],
                     ["draft", "in_negotiation"]]
    first = history(draft_sla).filter(action="transition").last()
    assert first.actor == "sam" and first.message == "sent to Acme"


@pytest.mark.parametrize("frm, to", [
    ("draft", "active"),
    ("draft", "under_review"),
    ("in_negotiation", "active"),
    ("agreed", "draft"),
    ("active", "draft"),
    ("active", "in_negotiation"),
    ("under_review", "draft"),
    ("expired", "active"),
    ("terminated", "draft"),
])
def test_a_forbidden_transition_is_refused_naming_from_and_to(draft_sla, slm, frm, to):
    _force(draft_sla, frm)

    with pytest.raises(DomainError) as err:
        services.transition(draft_sla, to, by=slm, now=NOW, reason="try")

    assert f"from {frm} to {to}" in err.value.message
    assert _status(draft_sla) == frm
    assert not history(draft_sla).filter(action="transition").exists()


def test_an_unknown_status_is_invalid_input(draft_sla, slm):
    with pytest.raises(InvalidInput) as err:
        services.transition(draft_sla, "signed", by=slm, now=NOW)
    assert err.value.field == "to"


def test_terminating_needs_a_reason_which_is_audited(draft_sla, slm):
    with pytest.raises(InvalidInput) as err:
        services.transition(draft_sla, "terminated", by=slm, now=NOW, reason="  ")
    assert err.value.field == "reason" and _status(draft_sla) == "draft"

    services.transition(draft_sla, "terminated", by=slm, now=NOW, reason="Acme withdrew")

    assert _status(draft_sla) == "terminated"
    assert history(draft_sla).first().message == "Acme withdrew"


def test_it_is_agreed_only_once_both_parties_signed(draft_sla, slm):
    services.transition(draft_sla, "in_negotiation", by=slm, now=NOW)
    versions.approve(draft_sla.latest_version(), party="provider", by=slm, now=NOW)

    with pytest.raises(DomainError, match="not signed by both parties"):
        services.transition(draft_sla, "agreed", by=slm, now=NOW)
    assert _status(draft_sla) == "in_negotiation"


def test_it_becomes_active_only_once_its_signed_version_takes_effect(draft_sla, slm):
    version = draft_sla.latest_version()
    starts = NOW + timedelta(days=30)
    versions.update_version(version, by=slm, now=NOW, effective_from=starts)
    sign(version, slm)

    with pytest.raises(DomainError, match="in effect"):
        services.transition(draft_sla, "active", by=slm, now=NOW)

    services.transition(draft_sla, "active", by=slm, now=starts)
    assert _status(draft_sla) == "active"


def test_it_expires_only_after_its_effective_period(draft_sla, slm):
    version = draft_sla.latest_version()
    ends = datetime(2025, 6, 1, tzinfo=UTC)
    versions.update_version(version, by=slm, now=NOW, effective_to=ends)
    sign(version, slm)
    services.transition(draft_sla, "active", by=slm, now=NOW)

    with pytest.raises(DomainError, match="still in effect"):
        services.transition(draft_sla, "expired", by=slm, now=NOW)

    services.transition(draft_sla, "expired", by=slm, now=ends)
    assert _status(draft_sla) == "expired"
    # Expired is final.
    with pytest.raises(DomainError, match="it is final"):
        services.transition(draft_sla, "active", by=slm, now=ends)


def test_a_concluded_review_restarts_the_review_cycle(draft_sla, slm):
    sign(draft_sla.latest_version(), slm)
    services.transition(draft_sla, "active", by=slm, now=NOW)
    due = datetime(2026, 1, 1, tzinfo=UTC)  # a year after 1 January 2025
    assert queries.next_review_due(draft_sla, NOW) == due
    review_day = due + timedelta(days=10)
    assert queries.overdue_reviews(review_day) == [draft_sla]

    services.transition(draft_sla, "under_review", by=slm, now=review_day)
    services.transition(draft_sla, "active", by=slm, now=review_day, reason="no change")

    draft_sla.refresh_from_db()
    assert draft_sla.last_reviewed_at == review_day
    assert queries.next_review_due(draft_sla, review_day) == datetime(2027, 1, 11, tzinfo=UTC)
    assert queries.overdue_reviews(review_day) == []


def test_the_worker_step_activates_and_expires_agreements_on_their_dates(draft_sla, slm):
    version = draft_sla.latest_version()
    ends = datetime(2025, 6, 1, tzinfo=UTC)
    versions.update_version(version, by=slm, now=NOW, effective_to=ends)
    sign(version, slm)

    moved = services.apply_due_transitions(NOW)
    assert [(a.pk, frm, to) for a, frm, to in moved] == [(draft_sla.pk, "agreed", "active")]
    assert services.apply_due_transitions(NOW) == []  # nothing more to do

    services.apply_due_transitions(ends)
    assert _status(draft_sla) == "expired"
    expiry = history(draft_sla).get(changes__status=["active", "expired"])
    assert (expiry.actor, expiry.at) == ("system", ends)  # audited when it fell due


def test_a_naive_now_is_refused(draft_sla, slm):
    with pytest.raises(ValueError, match="now"):
        services.transition(draft_sla, "in_negotiation", by=slm, now=NOW.replace(tzinfo=None))
    assert JAN_1.tzinfo is not None
