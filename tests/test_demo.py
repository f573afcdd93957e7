"""`accord demo` loads a believable provider, once."""

from datetime import timedelta

from django.core.management import call_command

from accord.agreements.models import Agreement
from accord.agreements.queries import version_in_force
from accord.catalogue.models import Service
from accord.measurement.models import AvailabilityPeriod, Clock, Ticket
from accord.web import demo
from tests.conftest import NOW


def test_it_loads_ecoshop_with_signed_agreements_in_force(db):
    logins = demo.load(NOW)

    assert {login.role for login in logins} >= {
        "Reader", "Analyst", "Service owner", "Service level manager", "Administrator",
    }
    assert set(Service.objects.values_list("name", flat=True)) >= {
        "Web Shop", "Order Processing", "Customer Accounts", "Inventory",
    }
    corporate = Agreement.objects.get(name="EcoShop corporate SLA")
    # Several versions: v2 superseded v1 and is the one in force now.
    assert version_in_force(corporate, NOW).number == 2
    assert {a.kind for a in Agreement.objects.filter(status="active")} == {"sla", "ola", "uc"}
    p1_response = corporate.versions.get(number=2).targets.get(metric="response", priority="P1")
    assert p1_response.duration_seconds == 30 * 60
    web = Agreement.objects.get(name__startswith="Web Shop availability")
    assert float(web.versions.get().targets.get().percentage) == 99.9


def test_it_loads_two_months_of_tickets_with_open_met_and_breached_clocks(db):
    demo.load(NOW)

    tickets = Ticket.objects.all()
    assert 300 <= tickets.count() <= 500
    assert min(tickets.values_list("opened_at", flat=True)) >= NOW - timedelta(days=61)
    assert tickets.filter(stage="open").count() == 20
    assert set(tickets.values_list("priority", flat=True)) == {"P1", "P2", "P3", "P4"}
    assert set(tickets.values_list("customer__name", flat=True)) == {
        "Retail UK", "Retail US", "Wholesale Partners"}
    clocks = Clock.objects.all()
    open_clocks = clocks.filter(stopped_at__isnull=True)
    assert open_clocks.filter(state="running", percent__gte=75).count() >= 3
    assert open_clocks.filter(state="breached").count() >= 2
    # Waiting for the customer pauses the resolution clock.
    assert open_clocks.filter(state="paused").count() >= 1
    assert clocks.filter(paused_seconds__gt=0, state="met").exists()
    met, breached = clocks.filter(state="met").count(), clocks.filter(state="breached").count()
    assert 0 < breached < met / 10  # a few breaches among many met targets
    # Hand-offs: Development / Operations time under their OLAs, CloudHost's under the UC.
    assert {"ola", "uc"} <= set(clocks.values_list("kind", flat=True))
    assert clocks.filter(kind="uc", holder="CloudHost Ltd").exists()
    assert tickets.filter(events__kind="reopened").exists()
    # The outages of the Web Shop's components show in its availability this month.
    period = AvailabilityPeriod.objects.filter(service__name="Web Shop").latest("period_start")
    assert period.availability < 100 and period.downtime_seconds > 0


def test_it_is_idempotent(db):
    demo.load(NOW)
    counts = (Agreement.objects.count(), Service.objects.count(), Ticket.objects.count(),
              Clock.objects.count())

    demo.load(NOW)

    assert (Agreement.objects.count(), Service.objects.count(), Ticket.objects.count(),
            Clock.objects.count()) == counts


def test_it_can_add_a_real_log_as_history(db, tmp_path, capsys):
    log = tmp_path / "log.csv"
    log.write_text("ticket_id,timestamp,kind,status,service\n"
                   "X-1,2025-03-01T09:00:00Z,created,New,Legacy ERP\n"
                   "X-1,2025-03-01T11:00:00Z,resolved,Solved,\n")

    call_command("demo", "--no-serve", "--history", str(log))

    out = capsys.readouterr().out
    assert "2 events stored" in out and "0 rejected" in out
    assert Ticket.objects.filter(ticket_id="X-1", service__name="Legacy ERP").exists()


def test_the_printed_login_works(db, client, capsys):
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert demo.DEMO_PASSWORD in out

    response = client.post("/login/", {"username": "admin", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_it_ships_an_escalation_policy_and_a_log_channel_with_real_entries(db):
    from accord.escalation.models import Channel, Escalation, EscalationPolicy, Notification

    demo.load(NOW)

    channel = Channel.objects.get(kind="log")
    policy = EscalationPolicy.objects.get(agreement__isnull=True)
    assert policy.steps.count() == 2
    # The open clocks past 75 % (and the breached ones) fired their steps at load.
    assert Escalation.objects.filter(level="L1").exists()
    assert Escalation.objects.filter(level="L2", requires_ack=True).exists()
    assert Notification.objects.filter(channel=channel).count() >= 2


def test_its_audit_trail_matches_the_history_it_loads(db):
    from accord.accounts.models import AuditEntry

    demo.load(NOW)

    corporate = Agreement.objects.get(name="EcoShop corporate SLA")
    created = AuditEntry.objects.get(content_type__model="agreement",
                                     object_id=str(corporate.pk), action="create")
    assert created.at == NOW - timedelta(days=400)
    signed_v2 = AuditEntry.objects.filter(content_type__model="agreementversion",
                                          object_id=str(corporate.versions.get(number=2).pk),
                                          action="transition").get()
    assert signed_v2.at == NOW - timedelta(days=60)
    wholesale = Agreement.objects.get(name="Wholesale Partners SLA")
    moved = AuditEntry.objects.get(content_type__model="agreement",
                                   object_id=str(wholesale.pk), action="transition")
    assert moved.at == NOW - timedelta(days=4)
    # Nothing in the trail claims to have happened after the demo's "now".
    assert not AuditEntry.objects.filter(at__gt=NOW).exists()


def test_its_recent_changes_are_varied_and_dated_by_its_history(db):
    from collections import Counter

    from accord.accounts.models import AuditEntry

    demo.load(NOW)

    # The dashboard's "Recent changes": the newest rows of the trail.
    recent = list(AuditEntry.objects.select_related("content_type")[:12])
    kinds = Counter(entry.content_type.model for entry in recent)
    # Feedback arrives in weekly imports (one audit row each), not one row per answer.
    assert kinds["feedback"] <= 3
    assert len(kinds) >= 4
    # Nearly nothing is stamped with the instant the demo was loaded.
    assert sum(1 for entry in recent if entry.at == NOW) <= 2
    imports = AuditEntry.objects.filter(content_type__model="feedback", action="import")
    assert imports.count() <= 2 * 10  # CSAT and NPS, weekly for two months
    assert all(entry.message.endswith("rejected in the batch)") for entry in imports)
    hand = AuditEntry.objects.filter(content_type__model="feedback", action="create")
    assert sorted((NOW - entry.at).days for entry in hand) == [6, 9, 33, 38]


def test_it_ships_a_held_review_with_its_actions_a_risk_and_a_plan(db):
    from accord.reviews.models import Action, Review
    from accord.reviews.plan_models import Plan, Risk

    demo.load(NOW)

    review = Review.objects.get(agreement__name="Retail UK SLA")
    assert review.status == "closed" and review.figures and review.decisions.exists()
    # One follow-up done with evidence, one late (the overdue card has something to show).
    assert Action.objects.filter(review=review, status="done").exclude(evidence="").exists()
    assert Action.objects.filter(review=review, status="open", due__lt=NOW.date()).exists()
    assert Risk.objects.get(service__name="Web Shop").score == 10
    assert Plan.objects.get(agreement__name="CloudHost hosting UC").approved_at is not None


def test_it_shows_an_investigated_breach_and_an_investigated_missed_objective(db):
    from accord.measurement.models import BreachInvestigation, ObjectiveInvestigation, ReasonCode

    demo.load(NOW)

    # The default reason codes the migrations seed are the ones investigations pick from.
    assert {"capacity", "supplier_delay", "other"} <= set(
        ReasonCode.objects.values_list("code", flat=True))
    breach = BreachInvestigation.objects.get()
    assert breach.party and breach.reason and breach.root_cause
    missed = ObjectiveInvestigation.objects.get()
    assert missed.party == missed.suggested_party and missed.reason and missed.root_cause
    assert missed.period_end <= NOW and missed.confirmed_by.username == "sarah"
