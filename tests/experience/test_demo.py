"""The demo shows experience beside the SLA: feedback, complaints and compliments, and last
month's watermelon flag on the Retail UK SLA."""

from datetime import UTC, datetime

import pytest

from accord.agreements.models import Agreement
from accord.experience.models import Feedback
from accord.reporting.compliance import compliance_report
from accord.reporting.periods import Period
from accord.web import demo

pytestmark = pytest.mark.django_db


# The demo's history is relative to its "now"; on this day every Retail UK SLA objective of
# the month before was met (on some days one P2 objective is missed, and then no flag shows).
DEMO_NOW = datetime(2026, 3, 20, 9, tzinfo=UTC)


def test_the_demo_raises_a_watermelon_flag_last_month():
    now = DEMO_NOW
    demo.load(now)
    assert Feedback.objects.filter(kind="csat").count() > 50
    assert Feedback.objects.filter(kind="complaint", entered_by__isnull=False).exists()
    retail = Agreement.objects.get(name="Retail UK SLA")
    last_month = Period.containing("month", now, retail.reporting_zone).shift(-1)
    report = compliance_report(retail, last_month, now=now)
    (row,) = [r for r in report["targets"] if r["metric"] == "experience"]
    assert row["objective_met"] is False and row["value"] < 4
    (flag,) = report["watermelon"]
    assert (flag["kind"], flag["reason"]) == ("watermelon", "experience_missed")
    assert flag["worst_comments"]
