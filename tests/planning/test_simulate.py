"""What-if replay: the version in force replayed over its own history equals the stored
report month by month; a tighter draft shows more breaches; nothing is written."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from accord.accounts.models import AuditEntry
from accord.agreements import versions
from accord.escalation.models import Notification
from accord.measurement.models import Clock
from accord.measurement.services import ingest_events
from accord.planning.simulate import comparison, simulate
from accord.reporting.compliance import compliance_report
from tests.conftest import NOW
from tests.reporting.conftest import AFTER, HOUR
from tests.reporting.test_backends import history

pytestmark = pytest.mark.django_db


def _comparable(report: dict) -> dict:
    report = dict(report)
    report["kpis"] = {k: v for k, v in report["kpis"].items() if k != "open_at_risk"}
    return report


def test_replaying_the_version_in_force_equals_the_stored_report(history_world):
    sla = history_world["sla"]
    version = sla.version_in_force(AFTER)

    result = simulate(version, "2025-02-01", "2025-03-31", now=AFTER)

    assert (result["agreement"], result["version"]) == (sla.reference, 1)
    assert (result["from"], result["to"], result["time_zone"]) == (
        "2025-02-01", "2025-03-31", "Asia/Tokyo")
    assert [m["period_label"] for m in result["months"]] == ["2025-02", "2025-03"]
    assert result["baseline"]["version"] == 1
    breaches = 0
    for label, replayed, base in zip(("2025-02", "2025-03"), result["months"],
                                     result["baseline"]["months"], strict=True):
        stored = compliance_report(sla, label, now=AFTER)
        assert _comparable(replayed) == _comparable(stored), label
        assert base == stored, label  # the stored report itself, KPIs and all
        breaches += sum(row["breached"] for row in stored["targets"])
    assert breaches > 0  # the comparison saw breaches, met clocks too
    assert sum(row["met"] for m in result["months"] for row in m["targets"]) > 0


def test_the_baseline_of_a_month_still_running_is_the_stored_report_as_of_now(world):
    """The baseline reads the stored clocks once for all its months, yet each month is the
    stored report as it stands: in the current month, the clocks at risk now included."""
    written = datetime(2025, 3, 10, 3, tzinfo=UTC)
    ingest_events([e for i in range(60) for e in history(i)], now=written)
    sla = world["sla"]
    now = written + timedelta(hours=1)

    result = simulate(sla.version_in_force(now), "2025-02-01", "2025-03-31", now=now)

    for label, base in zip(("2025-02", "2025-03"), result["baseline"]["months"], strict=True):
        assert base == compliance_report(sla, label, now=now), label
    assert sum(row["open"] for row in result["baseline"]["months"][1]["targets"]) > 0
    assert result["baseline"]["months"][1]["kpis"]["open_at_risk"] is not None
    assert result["months"][1]["kpis"]["open_at_risk"] is None  # replayed: not "now"


def test_the_replay_writes_nothing_but_one_audit_entry(history_world):
    version = history_world["sla"].latest_version()
    clocks = list(Clock.objects.order_by("pk").values_list("pk", "state", "computed_at"))
    audits = AuditEntry.objects.count()
    notifications = Notification.objects.count()

    simulate(version, "2025-01-01", "2025-12-31", now=AFTER)

    assert list(Clock.objects.order_by("pk").values_list("pk", "state", "computed_at")) == clocks
    assert Notification.objects.count() == notifications
    assert AuditEntry.objects.count() == audits + 1
    entry = AuditEntry.objects.latest("pk")
    assert entry.action == "simulated" and entry.object_id == str(version.pk)


def test_a_tighter_draft_shows_more_breaches(history_world, slm):
    sla = history_world["sla"]
    draft = versions.new_draft_version(sla, by=slm, now=NOW)
    p1 = draft.targets.get(priority="P1")
    versions.update_target(p1, by=slm, now=NOW, duration_seconds=HOUR)

    result = simulate(draft, "2025-02-01", "2025-03-31", now=AFTER)

    assert result["version"] == 2 and result["baseline"]["version"] == 1
    for month in result["months"]:
        assert {row["version"] for row in month["targets"]} == {2}
    simulated = sum(r["breached"] for m in result["months"] for r in m["targets"]
                    if r["priority"] == "P1")
    stored = sum(r["breached"] for m in result["baseline"]["months"] for r in m["targets"]
                 if r["priority"] == "P1")
    assert simulated > stored
    p2_sim = [r["breached"] for m in result["months"] for r in m["targets"]
              if r["priority"] == "P2"]
    p2_base = [r["breached"] for m in result["baseline"]["months"] for r in m["targets"]
               if r["priority"] == "P2"]
    assert p2_sim == p2_base  # an unchanged target replays to the same figures
    table = comparison(result)
    p1_row = next(t for t in table if t["key"]["priority"] == "P1")
    assert [m["month"] for m in p1_row["months"]] == ["2025-02", "2025-03"]
    assert any(m["compliance_percent"] < m["baseline_percent"] for m in p1_row["months"]
               if m["baseline_percent"] is not None)


def test_the_api_answers_and_names_bad_fields(history_world, slm, reader, api):
    sla = history_world["sla"]
    url = f"agreements/{sla.pk}/versions/1/simulate"

    response = api(slm).post(url, {"from": "2025-02-01", "to": "2025-03-31"})
    assert response.status_code == 200, response.data
    assert set(response.data) >= {"agreement", "version", "from", "to", "time_zone", "months",
                                  "baseline"}
    assert len(response.data["months"]) == 2

    bad = api(slm).post(url, {"from": "2025-02-30", "to": "2025-03-31"})
    assert bad.status_code == 422 and "from" in json.dumps(bad.data)
    backwards = api(slm).post(url, {"from": "2025-03-01", "to": "2025-02-01"})
    assert backwards.status_code == 422 and "to" in json.dumps(backwards.data)
    assert api(slm).post(f"agreements/{sla.pk}/versions/9/simulate",
                         {"from": "2025-02-01", "to": "2025-03-31"}).status_code == 404
    assert api(reader).post(url, {"from": "2025-02-01", "to": "2025-03-31"}).status_code == 403


def test_the_cli_writes_json_and_csv(history_world, tmp_path):
    sla = history_world["sla"]
    out = tmp_path / "sim.csv"
    call_command("simulate", "--agreement", sla.reference, "--version", "1",
                 "--from", "2025-02-01", "--to", "2025-03-31", "--format", "csv",
                 "--output", str(out))
    lines = list(csv.reader(io.StringIO(out.read_text())))
    assert lines[1][:4] == ["side", "agreement", "version", "month"]
    sides = {line[0] for line in lines[2:]}
    assert sides == {"simulated", "baseline"}

    printed = io.StringIO()
    call_command("simulate", "--agreement", sla.reference, "--version", "1",
                 "--from", "2025-02-01", "--to", "2025-02-28", stdout=printed)
    data = json.loads(printed.getvalue())
    assert data["agreement"] == sla.reference and len(data["months"]) == 1


def test_the_draft_page_replays_and_draws_a_chart_per_target(history_world, slm, client):
    sla = history_world["sla"]
    draft = versions.new_draft_version(sla, by=slm, now=NOW)
    versions.update_target(draft.targets.get(priority="P1"), by=slm, now=NOW,
                           duration_seconds=HOUR)
    client.force_login(slm)
    detail = client.get(f"/agreements/{sla.pk}/?version={draft.number}")
    url = f"/agreements/{sla.pk}/versions/{draft.number}/simulate"
    assert url in detail.content.decode()
    form = client.get(url)
    assert form.status_code == 200 and 'name="from"' in form.content.decode()

    page = client.post(url, {"from": "2025-02-01", "to": "2025-03-31"})

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<svg") == 2  # one chart per target (P1, P2)
    assert 'class="simulated"' in html and 'class="baseline"' in html
    assert "2025-03" in html
    bad = client.post(url, {"from": "2025-02-01", "to": "nonsense"})
    assert bad.status_code == 422 and "to:" in bad.content.decode()


def test_twelve_months_before_the_current_one():
    from datetime import date

    from accord.planning.views import last_twelve_months

    assert last_twelve_months(date(2026, 1, 15)) == (date(2025, 1, 1), date(2025, 12, 31))
    assert last_twelve_months(date(2025, 7, 1)) == (date(2024, 7, 1), date(2025, 6, 30))


def test_an_slr_replays_as_a_hypothetical_version_and_leaves_nothing(history_world, slm,
                                                                      client, api):
    from accord.agreements import slrs
    from accord.agreements.models import AgreementVersion, Target
    from accord.planning.simulate import simulate_slr

    sla = history_world["sla"]
    slr = slrs.create_slr(by=slm, now=NOW, title="Faster P1", customer=history_world["acme"],
                          service=history_world["shop"], requested_targets=[
                              {"metric": "resolution", "priority": "P1",
                               "duration_seconds": HOUR, "objective_percent": "90"}])
    targets, version_count = Target.objects.count(), AgreementVersion.objects.count()
    clocks = Clock.objects.count()

    result = simulate_slr(slr, "2025-02-01", "2025-03-31", now=AFTER, by=slm)

    assert (result["agreement"], result["version"], result["slr"]) == (sla.reference, None,
                                                                        slr.pk)
    rows = [r for m in result["months"] for r in m["targets"]]
    assert {r["priority"] for r in rows} == {"P1"}  # the requested targets only
    simulated = sum(r["breached"] for r in rows)
    stored = sum(r["breached"] for m in result["baseline"]["months"] for r in m["targets"]
                 if r["priority"] == "P1")
    assert simulated > stored  # 1 hour instead of 4
    assert (Target.objects.count(), AgreementVersion.objects.count()) == (targets,
                                                                          version_count)
    assert Clock.objects.count() == clocks
    assert AuditEntry.objects.filter(action="simulated", object_id=str(slr.pk)).count() == 1

    response = api(slm).post(f"slrs/{slr.pk}/simulate", {"from": "2025-02-01",
                                                         "to": "2025-03-31"})
    assert response.status_code == 200 and response.data["slr"] == slr.pk
    client.force_login(slm)
    assert f"/slrs/{slr.pk}/simulate" in client.get(f"/slrs/{slr.pk}/").content.decode()
    page = client.post(f"/slrs/{slr.pk}/simulate", {"from": "2025-02-01", "to": "2025-03-31"})
    assert page.status_code == 200 and page.content.decode().count("<svg") == 1


@pytest.mark.django_db(transaction=True)
def test_the_replay_shared_among_processes_equals_the_replay_in_one(history_world,
                                                                      monkeypatch):
    """On PostgreSQL a large replay is shared among processes (each with its own connection
    and chunks); the merged months equal one process's, to the percentile. (SQLite replays
    in one process: the same assertion holds trivially.)"""
    import accord.planning.replay as replay
    from accord.planning.simulate import months_between

    sla = history_world["sla"]
    version = sla.version_in_force(AFTER)
    months = months_between(AFTER.date().replace(month=2, day=1),
                            AFTER.date().replace(month=3, day=31), sla.reporting_zone)
    bounds = [m.start_utc for m in months] + [months[-1].end_utc]
    ids = replay.tickets_for(sla, bounds[0], bounds[-1])
    alone = replay.replay_aggregates(sla, version, ids, bounds, AFTER, workers=1)
    monkeypatch.setattr(replay, "CHUNK", 7)  # several chunks for each process
    shared = replay.replay_aggregates(sla, version, ids, bounds, AFTER, workers=2,
                                      parallel_from=0)
    assert [a.normalised() for a in shared] == [a.normalised() for a in alone]
    assert [a.percentiles for a in shared] == [a.percentiles for a in alone]
    assert sum(n for a in alone for c in a.counts.values() for n in c.values()) > 0
