"""Breach prediction on a synthetic history: P(final > 100 % | final > used so far)."""

import pytest

from accord.escalation.prediction import History, predict

# 100 finished tickets: 40 done within half their target, 30 more by 90 %, 30 breached.
FINALS = [25.0] * 40 + [80.0] * 30 + [150.0] * 30


def test_the_probability_grows_with_the_time_already_used():
    history = History(FINALS, "target")

    early = history.predict(10, min_sample=20)
    late = history.predict(85, min_sample=20)

    assert early.probability == pytest.approx(0.30) and early.sample_size == 100
    # Past 80 %, only the 30 tickets that breached were still open.
    assert late.probability == 1.0 and late.sample_size == 30 and late.breached == 30
    assert History(FINALS, "target").predict(50, 20).probability == pytest.approx(0.5)


def test_too_little_history_falls_back_to_service_and_priority_then_to_unknown():
    small = History([150.0] * 5, "target")
    broad = History(FINALS, "service_priority")

    assert predict(50, [small, broad], min_sample=20).cohort == "service_priority"
    unknown = predict(50, [small], min_sample=20)
    assert unknown.probability is None and unknown.sample_size == 0
    assert not unknown.at_risk(0.6)


def test_the_at_risk_point_is_where_the_probability_first_reaches_the_level():
    history = History(FINALS, "target")

    # 0.5 from 25 % on (30 of 60), 1.0 from 80 % on (30 of 30).
    assert history.risk_percent(0.5, min_sample=20) == 25.0
    assert history.risk_percent(0.6, min_sample=20) == 80.0
    assert history.predict(80.0, 20).probability >= 0.6
    # Never at risk when the sample would be too small by then, or nothing ever breached.
    assert history.risk_percent(0.6, min_sample=31) is None
    assert History([25.0] * 50, "target").risk_percent(0.6, 20) is None
