"""XLA targets: validation, and values against hand-computed fixtures through the one
compliance function (Acme's months are Asia/Tokyo's: March = [02-28T15:00Z, 03-31T15:00Z))."""

from datetime import UTC, datetime, timedelta

import pytest

from accord.agreements.models import Target
from accord.experience.models import Feedback
from accord.experience.services import ingest_feedback
from accord.lib.errors import InvalidInput
from accord.measurement.models import TicketEvent
from accord.reporting.compliance import compliance_report
from tests.reporting.conftest import AFTER, HOUR, clock

from .conftest import NOW, add_target, item, sign, xla


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def post(items):
    result = ingest_feedback(items, now=NOW)
    assert result["stored"] == len(items), result
    return result


def rows(report):
    return {(r["measure"], r["service"]): r for r in report["targets"]
            if r["metric"] == "experience"}


@pytest.mark.parametrize(("values", "field"), [
    ({"measure": "", "threshold": "4", "direction": "at_least"}, "measure"),
    ({"measure": "happiness", "threshold": "4", "direction": "at_least"}, "measure"),
    ({"measure": "csat_average", "direction": "at_least"}, "threshold"),
    ({"measure": "csat_average", "threshold": "x", "direction": "at_least"}, "threshold"),
    ({"measure": "csat_average", "threshold": "-1", "direction": "at_least"}, "threshold"),
    ({"measure": "nps", "threshold": "-101", "direction": "at_least"}, "threshold"),
    ({"measure": "csat_average", "threshold": "4"}, "direction"),
    ({"measure": "csat_average", "threshold": "4", "direction": "sideways"}, "direction"),
    ({"measure": "csat_average", "threshold": "4", "direction": "at_least",
      "min_responses": 0}, "min_responses"),
    ({"measure": "csat_average", "threshold": "4", "direction": "at_least",
      "percentage": "90"}, "percentage"),
])
def test_it_refuses_a_bad_experience_target_naming_the_field(sla, slm, values, field):
    with pytest.raises(InvalidInput) as exc:
        xla(sla, slm, **values)
    assert exc.value.field == field
    assert not Target.objects.filter(version__agreement=sla).exists()


def test_other_targets_refuse_experience_fields(sla, slm):
    with pytest.raises(InvalidInput) as exc:
        add_target(sla, slm, duration_seconds=HOUR, measure="nps")
    assert exc.value.field == "measure"


def test_the_api_takes_the_experience_fields(sla, slm, api):
    url = f"agreements/{sla.pk}/versions/1/targets"
    r = api(slm).post(url, {"metric": "experience", "measure": "nps", "threshold": "-20",
                            "direction": "at_least", "min_responses": 10})
    assert r.status_code == 201, r.data
    assert (r.data["measure"], r.data["threshold"], r.data["direction"],
            r.data["min_responses"]) == ("nps", -20.0, "at_least", 10)
    bad = api(slm).post(url, {"metric": "experience", "measure": "csat_average",
                              "direction": "at_least"})
    assert bad.status_code == 422 and "threshold" in str(bad.data)


def test_csat_in_the_tokyo_month_against_hand_computed_figures(sla, slm):
    xla(sla, slm, measure="csat_average", threshold="4", direction="at_least",
        min_responses=3)
    xla(sla, slm, measure="csat_satisfied_percent", threshold="75", direction="at_least",
        service=None, ticket_type="incident")
    sign(sla.latest_version(), slm)
    post([item(1, score=5, at=at("2025-02-28T15:00")),   # 1 March 00:00 in Tokyo: March
          item(2, score=1, at=at("2025-02-28T14:59")),   # 28 February 23:59: not March
          item(3, score=4, at=at("2025-03-10T09:00")),
          item(4, score=2, at=at("2025-03-31T14:59")),   # 31 March 23:59: March
          item(5, score=1, at=at("2025-03-31T15:00"))])  # 1 April: not March
    report = compliance_report(sla, "2025-03", now=AFTER)
    found = rows(report)
    average = found[("csat_average", None)]
    # 5, 4, 2: 11 / 3 = 3.67, below 4.
    assert (average["value"], average["responses"], average["objective_met"]) == (
        3.67, 3, False)
    assert average["metric"] == "experience" and average["target"]
    assert average["threshold"] == 4.0 and average["direction"] == "at_least"
    assert (average["met"], average["breached"], average["compliance_percent"]) == (
        None, None, None)
    satisfied = found[("csat_satisfied_percent", None)]
    assert (satisfied["value"], satisfied["objective_met"]) == (66.67, False)  # 2 of 3
    assert report["kpis"]["experience"]["csat_average"] == 3.67
    assert report["kpis"]["experience"]["nps"] is None
    # February has the one 23:59 answer.
    february = rows(compliance_report(sla, "2025-02", now=AFTER))
    assert february[("csat_average", None)]["value"] == 1.0


def test_too_few_responses_give_no_verdict(sla, slm):
    xla(sla, slm, measure="csat_average", threshold="4", direction="at_least",
        min_responses=5)
    sign(sla.latest_version(), slm)
    post([item(n, score=5, at=at("2025-03-10T09:00")) for n in range(4)])
    row = rows(compliance_report(sla, "2025-03", now=AFTER))[("csat_average", None)]
    assert (row["value"], row["responses"], row["objective_met"]) == (5.0, 4, None)
    assert row["note"].startswith("not enough responses")
    empty = rows(compliance_report(sla, "2025-01", now=AFTER))[("csat_average", None)]
    assert (empty["value"], empty["responses"], empty["objective_met"]) == (None, 0, None)


def test_a_negative_nps_against_negative_thresholds(sla, slm, world):
    xla(sla, slm, measure="nps", threshold="-50", direction="at_least")
    xla(sla, slm, measure="nps", threshold="-30", direction="at_least", service=world["shop"])
    sign(sla.latest_version(), slm)
    # 10 promoter; 7 passive; 6, 3, 0 detractors: (1 - 3) / 5 = -40.
    post([item(n, kind="nps", score=s, at=at("2025-03-05T09:00"))
          for n, s in enumerate((10, 7, 6, 3, 0))])
    found = rows(compliance_report(sla, "2025-03", now=AFTER))
    assert found[("nps", None)]["value"] == -40.0
    assert found[("nps", None)]["objective_met"] is True
    assert found[("nps", "Web Shop")]["objective_met"] is False


def test_effort_complaints_and_reopenings(sla, slm):
    resolution = add_target(sla, slm, duration_seconds=8 * HOUR, objective_percent="80")
    xla(sla, slm, measure="ces_average", threshold="3", direction="at_most")
    xla(sla, slm, measure="complaints_per_100_tickets", threshold="10", direction="at_most")
    xla(sla, slm, measure="reopen_rate_percent", threshold="30", direction="at_most")
    sign(sla.latest_version(), slm)
    resolution.refresh_from_db()
    tickets = []
    for n in range(4):  # four tickets opened and resolved in March
        start = at("2025-03-03T09:00") + timedelta(days=n)
        c = clock(resolution, "met", start, stopped=start + timedelta(hours=2))
        tickets.append(c.ticket)
        TicketEvent.objects.create(ticket=c.ticket, source="t", event_id=f"r{n}",
                                   timestamp=start + timedelta(hours=2), kind="resolved",
                                   received_at=NOW)
    TicketEvent.objects.create(ticket=tickets[0], source="t", event_id="again",
                               timestamp=at("2025-03-20T09:00"), kind="reopened",
                               received_at=NOW)
    post([item(1, kind="ces", score=2, at=at("2025-03-05T09:00")),
          item(2, kind="ces", score=5, at=at("2025-03-06T09:00")),
          item(3, kind="complaint", at=at("2025-03-07T09:00"), text="slow")])
    found = rows(compliance_report(sla, "2025-03", now=AFTER))
    assert (found[("ces_average", None)]["value"],
            found[("ces_average", None)]["objective_met"]) == (3.5, False)  # (2 + 5) / 2
    complaints = found[("complaints_per_100_tickets", None)]
    assert (complaints["value"], complaints["responses"], complaints["objective_met"]) == (
        25.0, 4, False)  # 1 complaint, 4 tickets
    reopen = found[("reopen_rate_percent", None)]
    assert (reopen["value"], reopen["responses"], reopen["objective_met"]) == (
        25.0, 4, True)  # 1 of 4 resolved reopened


def test_metrics_show_the_experience_value(sla, slm, client, settings):
    from accord.reporting.metrics import collect

    target = xla(sla, slm, measure="csat_average", threshold="4", direction="at_least")
    sign(sla.latest_version(), slm)
    sla.status = "active"
    sla.save()
    post([item(1, score=3, at=at("2025-03-05T09:00"))])
    text = _exposition(collect(at("2025-03-20T00:00")))
    assert (f'accord_experience_value{{agreement="{sla.reference}",period="2025-03",'
            f'target="{target.pk}"}} 3.0') in text
    assert Feedback.objects.count() == 1


def _exposition(registry) -> str:
    from prometheus_client import generate_latest

    return generate_latest(registry).decode()


def test_an_older_experience_target_with_a_percentage_means_satisfied_percent(sla, slm):
    from accord.agreements import versions

    target = xla(sla, slm, percentage="80")
    assert (target.measure, target.threshold, target.direction) == (
        "csat_satisfied_percent", 80, "at_least")
    renamed = versions.update_target(target, by=slm, now=NOW, name="Happy stores")
    assert (renamed.name, renamed.measure, renamed.percentage) == (
        "Happy stores", "csat_satisfied_percent", 80)
