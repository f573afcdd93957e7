from datetime import UTC, datetime, timedelta

import pytest

from accord.agreements import queries, services, versions
from tests.conftest import NOW

from .conftest import JAN_1, sign

APR_1 = datetime(2025, 4, 1, tzinfo=UTC)
JUL_1 = datetime(2025, 7, 1, tzinfo=UTC)


@pytest.fixture
def two_versions(draft_sla, slm):
    """v1 from 1 January, v2 from 1 April until 1 July, and an unsigned v3 draft."""
    v1 = sign(draft_sla.latest_version(), slm)
    v2 = versions.new_draft_version(draft_sla, by=slm, now=NOW, effective_from=APR_1,
                                    effective_to=JUL_1)
    sign(v2, slm)
    v3 = versions.new_draft_version(draft_sla, by=slm, now=NOW, effective_from=JUL_1)
    return v1, v2, v3


@pytest.mark.parametrize("at, expected", [
    (JAN_1 - timedelta(seconds=1), None),  # before anything was in effect
    (JAN_1, 1),  # the period includes its start ...
    (APR_1 - timedelta(microseconds=1), 1),
    (APR_1, 2),  # ... and the newer version wins from its own start
    (JUL_1 - timedelta(seconds=1), 2),
    (JUL_1, 1),  # v2 ended (exclusive end) and v3 is only a draft: v1 is open-ended
])
def test_the_version_in_force_is_the_latest_signed_one_covering_the_instant(
    draft_sla, two_versions, at, expected
):
    found = queries.version_in_force(draft_sla, at)
    assert (found.number if found else None) == expected


def test_version_in_force_refuses_a_naive_instant(draft_sla):
    with pytest.raises(ValueError, match="naive|time zone"):
        queries.version_in_force(draft_sla, datetime(2025, 3, 1))


def test_overdue_reviews_follow_the_version_in_force(draft_sla, slm, acme):
    v1 = sign(draft_sla.latest_version(), slm)
    services.transition(draft_sla, "active", by=slm, now=NOW)
    assert v1.review_due == datetime(2026, 1, 1, tzinfo=UTC)

    assert queries.overdue_reviews(datetime(2025, 12, 31, tzinfo=UTC)) == []
    assert queries.overdue_reviews(datetime(2026, 1, 2, tzinfo=UTC)) == [draft_sla]

    # A newer version signed for 2026 brings its own review date ...
    v2 = versions.new_draft_version(draft_sla, by=slm, now=NOW,
                                    effective_from=datetime(2025, 12, 1, tzinfo=UTC))
    sign(v2, slm)
    assert queries.overdue_reviews(datetime(2026, 1, 2, tzinfo=UTC)) == []
    # ... and terminated agreements are never overdue.
    services.transition(draft_sla, "terminated", by=slm, now=NOW, reason="merged")
    assert queries.overdue_reviews(datetime(2027, 1, 2, tzinfo=UTC)) == []
