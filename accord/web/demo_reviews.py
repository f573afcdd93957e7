"""The demo's governance: last month's performance review of the Retail UK SLA, held and
closed with its decisions and actions (one done with evidence, one open, one overdue), a risk
on the Web Shop, an improvement plan for the CloudHost UC with an action, the investigation
of one breached Retail UK SLA clock and of one missed objective (the reason codes are the
defaults the migrations seed). Audit rows carry the instants they describe."""

from datetime import datetime, timedelta

from accord.accounts.choices import AuditAction
from accord.accounts.models import User
from accord.accounts.services import audit_time, record_change
from accord.agreements.choices import DURATION_METRICS, AgreementKind
from accord.agreements.models import Agreement
from accord.catalogue.models import Service
from accord.measurement.choices import ClockState
from accord.measurement.models import Clock, ReasonCode
from accord.reporting.compliance import compliance_report
from accord.reporting.periods import Period
from accord.reviews import actions, investigations, objectives, plans, reviews, risks
from accord.reviews.choices import ActionSource, ReviewKind


def load(now: datetime) -> None:
    sarah, omar = User.objects.get(username="sarah"), User.objects.get(username="omar")
    retail = Agreement.objects.get(name="Retail UK SLA")
    uc = Agreement.objects.get(name="CloudHost hosting UC")
    web = Service.objects.get(name="Web Shop")
    held = now - timedelta(days=3)
    last_month = (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")

    with audit_time(held - timedelta(days=10)):
        review = reviews.schedule(agreement=retail, kind=ReviewKind.PERFORMANCE,
                                  period=last_month, due=held.date(), by=sarah,
                                  now=held - timedelta(days=10))
    with audit_time(held):
        reviews.open_review(review, by=sarah, now=held)
        reviews.update_review(review, by=sarah, now=held, values={
            "held_on": held.date(),
            "attendees": ["Sarah Levels (service level manager)", "Omar Owens (Web Shop)",
                          "Dana Lee (Retail UK)"],
            "minutes": "P1 resolution met; two P2 tickets breached while waiting on the "
                       "hosting supplier. Retail UK reports that store managers chase "
                       "orders stuck in 'paid' — satisfaction below its 4.0 target although "
                       "every SLA objective was met.",
        })
        reviews.add_decision(review, by=sarah, who="Sarah Levels and Dana Lee",
                             what="Keep the P2 resolution target; raise the stuck-order "
                                  "problem with CloudHost and report on it next month.",
                             decided_on=held.date(), now=held)
        actions.create_action(
            by=sarah, now=held, title="Alert on orders stuck in 'paid' for over an hour",
            owner=omar, due=(now + timedelta(days=11)).date(), agreement=retail, service=web,
            source=ActionSource.REVIEW, extra={"review": review},
            description="The watermelon flag of the review: SLA green, stores unhappy.")
        actions.create_action(
            by=sarah, now=held, title="Get CloudHost's root cause for the P2 escalations",
            owner=omar, due=(now - timedelta(days=1)).date(), agreement=retail, service=web,
            source=ActionSource.REVIEW, extra={"review": review})
        notes = actions.create_action(
            by=sarah, now=held, title="Send the review minutes to Retail UK", owner=sarah,
            due=(held + timedelta(days=1)).date(), agreement=retail,
            source=ActionSource.REVIEW, extra={"review": review})
        reviews.close_review(review, by=sarah, now=held)
    with audit_time(held + timedelta(hours=20)):
        actions.close_action(notes, by=sarah, now=held + timedelta(hours=20),
                             evidence="Minutes mailed to Dana Lee; acknowledged by reply.")

    with audit_time(now - timedelta(days=20)):
        risks.create_risk(by=sarah, now=now - timedelta(days=20),
                          title="Single hosting region for the Web Shop", service=web,
                          description="A CloudHost region outage takes the shop down; no "
                                      "standby in a second region.",
                          likelihood=2, impact=5, owner=omar,
                          review_date=(now + timedelta(days=40)).date())
    with audit_time(held):
        plan = plans.create_plan(
            by=sarah, now=held, title="CloudHost P1/P2 resolution within the SLA",
            shortfall="The UC promises P1 resolution in 4 h under SLAs that promise 2 h; two "
                      "P2 breaches last month waited on the supplier.",
            agreement=uc, owner=sarah, milestones=[
                {"title": "Supplier root-cause report", "due": str((now + timedelta(
                    days=7)).date())},
                {"title": "Renegotiated UC draft with 2 h P1", "due": str((now + timedelta(
                    days=45)).date())}])
        plans.approve_plan(plan, by=sarah, now=held)
        actions.create_action(
            by=sarah, now=held, title="Agree a 2 h P1 resolution with CloudHost",
            owner=sarah, due=(now + timedelta(days=45)).date(), agreement=uc,
            source=ActionSource.PLAN, extra={"plan": plan})
    _investigation(retail, sarah, omar, held)
    _missed_objective(retail, sarah, held)


# The reason codes the demo's investigations use: seeded by the measurement migration
# (0012_seed_reason_codes); made here too if an administrator retired or removed them.
REASONS = (("supplier_delay", "Waiting on a supplier"),
           ("capacity", "Not enough people or capacity"))


def _investigation(retail, sarah, omar, held) -> None:
    """Omar's investigation of a Retail UK breach."""
    with audit_time(held - timedelta(days=30)):
        for code, label in REASONS:
            reason, made = ReasonCode.objects.get_or_create(code=code,
                                                            defaults={"label": label})
            if made:
                record_change(sarah, reason, AuditAction.CREATE, message="reason code added")
    breach = (Clock.objects.filter(state=ClockState.BREACHED, kind=AgreementKind.SLA,
                                   agreement__customer=retail.customer)
              .order_by("-breached_at", "id").first())
    if breach is None:
        return
    party = investigations.suggested_party(breach)  # confirmed as suggested
    with audit_time(held):
        investigations.record(breach, by=omar, now=held, values={
            "reason": "supplier_delay" if party == "supplier" else "capacity",
            "party": party,
            "root_cause": "Reproduced on the night shift: one person on the desk while the "
                          "hosting team worked a database failover; the ticket sat unassigned "
                          "for most of its target."})


def _missed_objective(retail, sarah, held) -> None:
    """Sarah's investigation of a missed objective: the first target that missed it last
    month (Retail UK's SLA first, then the other SLAs, then the month before), as the
    compliance report says; the party as suggested from the breached time."""
    agreements = [retail, *Agreement.objects.filter(kind=AgreementKind.SLA)
                  .exclude(pk=retail.pk).order_by("pk")]
    for back in (1, 2):
        for agreement in agreements:
            period = Period.containing("month", held, agreement.reporting_zone).shift(-back)
            rows = compliance_report(agreement, period, now=held)["targets"]
            missed = [r for r in rows if r.get("objective_met") is False
                      and r["metric"] in DURATION_METRICS and r["breached"]]
            if not missed:
                continue
            found = objectives.missed_objective(agreement, missed[0]["target"], period, held)
            party = found.suggested_party
            with audit_time(held):
                objectives.record(found, by=sarah, now=held, values={
                    "reason": "capacity" if party == "internal" else "supplier_delay",
                    "party": party,
                    "root_cause": "Two of the breaches came in during the month-end release "
                                  "weekend with half the desk on leave; the queue was not "
                                  "re-prioritised. Weekend cover is planned per release "
                                  "from now on."})
            return
