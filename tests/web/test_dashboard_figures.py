"""The dashboard's service level figures, at a fixed instant: each says what it counts, and
OLA and UC clocks are never mixed into the SLA figures."""

from datetime import UTC, datetime

from accord.agreements import queries as agreement_queries
from accord.agreements import services as agreements
from accord.escalation.models import Escalation
from accord.measurement.services import ingest_events
from accord.web.dashboard import figures
from tests.conftest import NOW
from tests.measurement.clock_world import event, opened, world_fixture  # noqa: F401


def activate(agreement, slm, now=NOW):
    agreement.refresh_from_db()
    if agreement.status != "agreed":
        agreements.transition(agreement, "agreed", by=slm, now=now, reason="signed")
    agreements.transition(agreement, "active", by=slm, now=now, reason="in effect")


def handed_around():
    """INC1 (P1, 4 h) breaches at 13:00 on 3 March; the OLA (8 h) and UC (24 h) clocks are met.
    INC2 (P1) is resolved in 1 hour: met."""
    ingest_events([
        opened(),
        event(2, "2025-03-03T10:00", "updated", team="Second Line"),
        event(3, "2025-03-03T12:00", "updated", supplier="Vendor Co"),
        event(4, "2025-03-03T18:00", "updated", supplier=""),
        event(5, "2025-03-03T19:00", "resolved", status="Resolved"),
        opened(at="2025-03-04T09:00", ticket="INC2"),
        event(2, "2025-03-04T10:00", "resolved", ticket="INC2", status="Resolved"),
    ], now=NOW)


def test_it_shows_each_agreements_compliance_with_a_traffic_light(world, slm):
    handed_around()
    for key in ("sla", "ola", "uc"):
        activate(world[key], slm)

    data = figures(slm, agreement_queries.visible_to(slm), NOW)

    rows = {r["agreement"].reference: r for r in data["compliance"]["rows"]}
    sla = rows[world["sla"].reference]
    # P1: 1 met of 2 counted = 50 % < 95 %: missed its objective. P3: no clock, no data.
    assert (sla["light"], sla["met"], sla["missed"], sla["no_data"], sla["breaches"]) == (
        "missed", 0, 1, 1, 1)
    assert sla["lowest"] == 50.0
    assert rows[world["ola"].reference]["light"] == "met"
    # Worst first: the SLA that missed its objective leads the table.
    assert data["compliance"]["rows"][0]["agreement"] == world["sla"]
    assert data["compliance"]["objective_totals"]["SLA"]["missed"] == 1


def test_breaches_are_counted_per_kind_never_mixed(world, slm):
    handed_around()
    # The UC clock breaches too: the vendor held INC3 for 30 hours of its 24.
    ingest_events([
        opened(at="2025-03-05T00:00", ticket="INC3", priority="P3"),
        event(2, "2025-03-05T01:00", "updated", ticket="INC3", supplier="Vendor Co"),
        event(3, "2025-03-06T07:00", "updated", ticket="INC3", supplier=""),
    ], now=NOW)

    data = figures(slm, agreement_queries.visible_to(slm), NOW)

    assert data["breaches_by_kind"] == {"SLA": 1, "OLA": 0, "UC": 1}
    assert data["trend"]["by_priority"] == [("P1", 1)]  # SLA breaches only


def test_the_trend_shows_sla_clocks_met_per_month_with_gaps(world, slm):
    handed_around()

    points = figures(slm, agreement_queries.visible_to(slm), NOW)["trend"]["points"]

    assert len(points) == 12 and points[-1].label == "2025-03"
    assert points[-1].value == 50.0  # INC2 met, INC1 breached
    assert points[-2].value is None  # February: no SLA clock counted, not 0 or 100


def test_a_customer_sees_only_their_own_agreements(world, slm, customer_user):
    handed_around()
    activate(world["sla"], slm)
    activate(world["uc"], slm)
    world["acme"].contacts.add(customer_user)

    data = figures(customer_user, agreement_queries.visible_to(customer_user), NOW)

    assert [r["agreement"] for r in data["compliance"]["rows"]] == [world["sla"]]
    assert data["awaiting_ack"] is None  # escalations are the provider's business


def test_it_lists_escalations_waiting_for_acknowledgement(world, slm):
    Escalation.objects.create(key="a", level="L2", clock_ref="c", subject="P1 breach INC1",
                              at=NOW, requires_ack=True)
    Escalation.objects.create(key="b", level="L1", clock_ref="c", subject="done", at=NOW,
                              requires_ack=True, acknowledged_at=NOW, acknowledged_by=slm)

    waiting = figures(slm, agreement_queries.visible_to(slm), NOW)["awaiting_ack"]

    assert waiting["count"] == 1
    assert [e.subject for e in waiting["rows"]] == ["P1 breach INC1"]


def test_an_active_agreement_without_a_version_in_force_has_lapsed(world, slm):
    from tests.measurement.clock_world import sign, target

    short = agreements.create_agreement(
        by=slm, now=NOW, name="Short SLA", kind="sla", structure="customer_based",
        customer=world["acme"], services=[world["shop"]],
        effective_from=datetime(2025, 1, 1, tzinfo=UTC),
        effective_to=datetime(2025, 4, 1, tzinfo=UTC))
    target(short, slm)
    sign(short.latest_version(), slm)
    activate(short, slm)

    visible = agreement_queries.visible_to(slm)
    assert figures(slm, visible, NOW)["lapsed"] == []
    # In May it is still "active", but its only version ended on 1 April.
    assert figures(slm, visible, datetime(2025, 5, 2, tzinfo=UTC))["lapsed"] == [short]


def test_the_heavy_figures_are_kept_a_minute_until_a_new_clock_arrives(world, slm, settings,
                                                                        monkeypatch):
    from django.core.cache import cache

    from accord.web import dashboard

    settings.ACCORD_DASHBOARD_CACHE = 60
    cache.clear()
    calls = []
    real = dashboard.compliance_by_agreement
    monkeypatch.setattr(dashboard, "compliance_by_agreement",
                        lambda *a: calls.append(1) or real(*a))
    visible = agreement_queries.visible_to(slm)

    figures(slm, visible, NOW)
    figures(slm, visible, NOW.replace(second=30))
    assert len(calls) == 1
    handed_around()  # new clocks: computed afresh
    figures(slm, visible, NOW.replace(second=40))
    assert len(calls) == 2
    cache.clear()
