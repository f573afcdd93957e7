"""The EcoShop demo: an online retailer's service catalogue and agreements.

Everything is created through the apps' services, so the demo is audited and validated like any
other change. ``load(now)`` is idempotent: it does nothing when the demo is already there.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from accord.accounts import services as accounts
from accord.accounts.checks import DEMO_PASSWORD
from accord.accounts.models import User
from accord.accounts.services import audit_time
from accord.agreements import services as agreements
from accord.agreements import versions
from accord.agreements.models import Agreement
from accord.catalogue import calendars, dependencies
from accord.catalogue import services as catalogue
from accord.escalation.services import fire_due
from accord.escalation.services.setup import create_channel, create_policy
from accord.planning import demo_templates

from . import demo_experience, demo_history, demo_reviews

LOGINS = ["admin", "sarah", "omar", "anna", "rita", "dana", "hugo"]
HOUR = 3600
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
# Resolution clocks stop while the desk waits for the customer (the engine's default: never).
PENDING_CUSTOMER = {"field": "status", "in": [demo_history.PENDING_STATUS]}


@dataclass
class DemoLogin:
    username: str
    password: str | None  # None: unchanged since it was printed
    role: str


def _new_password(random_passwords: bool) -> str:
    return secrets.token_urlsafe(12) if random_passwords else DEMO_PASSWORD


def _hours(start: str, end: str, days=WEEKDAYS) -> dict:
    return {day: [[start, end]] for day in days}


def _users(passwords: dict):
    people = [
        ("admin", "Ada", "Admin", "administrator"),
        ("sarah", "Sarah", "Levels", "service_level_manager"),
        ("omar", "Omar", "Owens", "service_owner"),
        ("anna", "Anna", "Lytic", "analyst"),
        ("rita", "Rita", "Reader", "reader"),
        ("dana", "Dana", "Lee", "customer"),
        ("hugo", "Hugo", "Host", "supplier"),
    ]
    users = {}
    for username, first, last, role in people:
        users[username] = accounts.create_user(
            username, role=role, password=passwords[username], first_name=first,
            last_name=last, email=f"{username}@ecoshop.example",
        )
    # Signatories who sign on paper and never sign in (no usable password).
    for username, first, last in [("ceo", "Charles", "Board"), ("devlead", "Devi", "Lead"),
                                  ("opslead", "Otto", "Lead")]:
        users[username] = accounts.create_user(
            username, role="reader", first_name=first, last_name=last,
            email=f"{username}@ecoshop.example")
    users["admin"].is_superuser = True
    users["admin"].save(update_fields=["is_superuser"])
    return users


def _catalogue(by: User, users: dict) -> dict:
    c = {}
    c["uk"] = calendars.create_calendar(
        by=by, name="UK business hours", tz="Europe/London", hours=_hours("08:00", "18:00"),
        country="GB", subdivision="ENG",
        description="Mon–Fri 08:00–18:00 London, England's public holidays.",
    )
    c["us"] = calendars.create_calendar(
        by=by, name="US East business hours", tz="America/New_York",
        hours=_hours("09:00", "17:00"), country="US",
        description="Mon–Fri 09:00–17:00 New York, US federal holidays.",
    )
    c["24x7"] = calendars.create_calendar(
        by=by, name="24x7", tz="UTC", always_open=True, description="Always open."
    )
    c["retail_uk"] = catalogue.create_customer(
        by=by, name="Retail UK", tz="Europe/London", contact_email="retail-uk@ecoshop.example",
        contacts=[users["dana"]], description="The UK consumer business unit.",
    )
    c["retail_us"] = catalogue.create_customer(
        by=by, name="Retail US", tz="America/New_York", calendar=c["us"],
        contact_email="retail-us@ecoshop.example", description="The US consumer business unit.",
    )
    c["wholesale"] = catalogue.create_customer(
        by=by, name="Wholesale Partners", tz="Europe/Berlin",
        contact_email="partners@ecoshop.example", description="B2B resellers across the EU.",
    )
    for key, name, lead in [("desk", "Service Desk", None), ("dev", "Development", "devlead"),
                            ("ops", "Operations", "opslead")]:
        c[key] = catalogue.create_team(
            by=by, name=name, email=f"{key}@ecoshop.example", calendar=c["uk"],
            members=[users[lead]] if lead else [],
        )
    c["host"] = catalogue.create_supplier(
        by=by, name="CloudHost Ltd", contact_email="support@cloudhost.example",
        contacts=[users["hugo"]], calendar=c["24x7"],
        description="Hosting of the web and database platform.",
    )
    c["payfast"] = catalogue.create_supplier(
        by=by, name="PayFast", contact_email="care@payfast.example",
        description="Payment gateway.",
    )
    owner = users["omar"]
    services = [
        ("web", "Web Shop", 1, c["24x7"], owner, "The customer-facing online shop."),
        ("orders", "Order Processing", 1, c["uk"], owner, "Order capture, payment, dispatch."),
        ("accounts", "Customer Accounts", 2, c["uk"], users["sarah"], "Sign-in and profiles."),
        ("inventory", "Inventory", 2, c["uk"], users["sarah"], "Stock levels and reservations."),
    ]
    for key, name, criticality, calendar, who, text in services:
        c[key] = catalogue.create_service(
            by=by, name=name, criticality=criticality, status="live", calendar=calendar,
            owner=who, description=text,
        )
    components = [
        ("fe1", "web-frontend-1", "server", None), ("fe2", "web-frontend-2", "server", None),
        ("shopapp", "shop-app", "application", None), ("ordersdb", "orders-db", "database", None),
        ("accountsdb", "accounts-db", "database", None), ("net", "core-network", "network", None),
        ("cloud", "CloudHost platform", "supplier_service", c["host"]),
        ("gateway", "PayFast gateway", "supplier_service", c["payfast"]),
    ]
    for key, name, kind, supplier in components:
        c[key] = catalogue.create_component(by=by, name=name, kind=kind, supplier=supplier)
    dependencies.create_group(
        c["web"], name="front ends", members=[c["fe1"], c["fe2"]], min_up=1, by=by
    )
    for service, needs in [
        ("web", ["shopapp", "net", "cloud", "orders", "accounts"]),
        ("orders", ["ordersdb", "gateway", "inventory"]),
        ("accounts", ["accountsdb"]),
        ("inventory", ["ordersdb"]),
    ]:
        for need in needs:
            dependencies.add_dependency(c[service], depends_on=c[need], by=by)
    return c


def _sign(agreement: Agreement, *, slm: User, counterparty: User | None = None,
          on_behalf_of: User | None = None, now):
    """The provider signs; the counterparty's contact signs in person, or (``on_behalf_of``)
    signed on paper and the SLM records it with where the copy is."""
    version = agreement.versions.order_by("-number").first()
    versions.approve(version, party="provider", by=slm, now=now, comment="Agreed at the review.")
    if counterparty is not None:
        versions.approve(version, party="counterparty", by=counterparty, now=now)
    else:
        versions.approve(version, party="counterparty", by=slm, now=now,
                         on_behalf_of_contact=on_behalf_of,
                         evidence=f"Signed paper copy in the contracts file, "
                                  f"{agreement.reference}.")
    agreement.refresh_from_db()
    return version


def _ticket_targets(version, *, by, now, response, resolution, calendar=None, objective=95):
    for priority, seconds in response.items():
        versions.add_target(
            version, by=by, now=now, metric="response", ticket_type="incident",
            priority=priority, duration_seconds=seconds, objective_percent=objective,
            calendar=calendar,
        )
    for priority, seconds in resolution.items():
        versions.add_target(
            version, by=by, now=now, metric="resolution", ticket_type="incident",
            priority=priority, duration_seconds=seconds, objective_percent=objective,
            calendar=calendar, credit_percent=2 if priority == "P1" else None,
            pause_condition=PENDING_CUSTOMER,
        )


def _agreements(by: User, users: dict, c: dict, now: datetime) -> None:
    slm = users["sarah"]
    year_ago, two_months_ago = now - timedelta(days=400), now - timedelta(days=60)

    # Corporate SLA, two signed versions: v2 tightened P2 resolution from 12 to 8 hours.
    with audit_time(year_ago):
        corporate = _corporate(by, slm, users["ceo"], year_ago)
    with audit_time(two_months_ago):
        _corporate_v2(corporate, slm, users["ceo"], two_months_ago)
        _retail(by, users, c, corporate, two_months_ago)
    with audit_time(year_ago):
        _olas_and_uc(by, users, c, year_ago)
    _wholesale(by, slm, c, now)


def _corporate(by, slm, ceo, year_ago):
    corporate = agreements.create_agreement(
        by=by, now=year_ago, name="EcoShop corporate SLA", kind="sla", structure="corporate",
        owner=slm, description="Targets every EcoShop business unit receives.",
        text="Incident response and resolution on business hours; P1 around the clock.",
        effective_from=year_ago,
    )
    agreements.transition(corporate, "in_negotiation", by=slm, now=year_ago,
                           reason="First draft shared with the business units.")
    v1 = corporate.versions.get(number=1)
    _ticket_targets(
        v1, by=slm, now=year_ago,
        response={"P1": 30 * 60, "P2": 2 * HOUR, "P3": 8 * HOUR, "P4": 16 * HOUR},
        resolution={"P1": 4 * HOUR, "P2": 12 * HOUR, "P3": 30 * HOUR, "P4": 50 * HOUR},
    )
    _sign(corporate, slm=slm, on_behalf_of=ceo, now=year_ago)
    agreements.transition(corporate, "active", by=slm, now=year_ago, reason="In force.")
    return corporate


def _corporate_v2(corporate, slm, ceo, two_months_ago):
    v2 = versions.new_draft_version(
        corporate, by=slm, now=two_months_ago, effective_from=two_months_ago,
        change_summary="P2 resolution 12 → 8 business hours after the Q2 review.",
    )
    p2 = v2.targets.get(metric="resolution", priority="P2")
    versions.update_target(p2, by=slm, now=two_months_ago, duration_seconds=8 * HOUR)
    _sign(corporate, slm=slm, on_behalf_of=ceo, now=two_months_ago)


def _retail(by, users, c, corporate, two_months_ago):
    slm = users["sarah"]
    # Customer level for Retail UK: faster P1 resolution, signed by its contact on the portal.
    retail = agreements.create_agreement(
        by=by, now=two_months_ago, name="Retail UK SLA", kind="sla",
        structure="customer_level", parent=corporate, customer=c["retail_uk"], owner=slm,
        services=[c["web"], c["orders"], c["accounts"]], effective_from=two_months_ago,
        text="Retail UK inherits the corporate targets; P1 incidents resolved in 2 hours.",
        survey_on_resolve=True,
    )
    version = retail.versions.get(number=1)
    versions.add_target(
        version, by=slm, now=two_months_ago, metric="resolution", ticket_type="incident",
        priority="P1", duration_seconds=2 * HOUR, objective_percent=95, calendar=c["24x7"],
        credit_percent=5, pause_condition=PENDING_CUSTOMER,
    )
    # An experience (XLA) target beside the SLA targets: the watermelon check reads it.
    versions.add_target(
        version, by=slm, now=two_months_ago, metric="experience", name="Retail UK satisfaction",
        measure="csat_average", threshold=4, direction="at_least", min_responses=5,
    )
    _sign(retail, slm=slm, counterparty=users["dana"], now=two_months_ago)
    agreements.transition(retail, "active", by=slm, now=two_months_ago, reason="In force.")

    # Service level: the web shop's availability for Retail UK.
    web = agreements.create_agreement(
        by=by, now=two_months_ago, name="Web Shop availability — Retail UK", kind="sla",
        structure="service_level", parent=retail, customer=c["retail_uk"], owner=slm,
        services=[c["web"]], effective_from=two_months_ago,
        text="The web shop is available 99.9 % of each month, 24x7.",
    )
    versions.add_target(
        web.versions.get(number=1), by=slm, now=two_months_ago, metric="availability",
        service=c["web"], percentage=99.9, calendar=c["24x7"], credit_percent=10,
    )
    _sign(web, slm=slm, counterparty=users["dana"], now=two_months_ago)
    agreements.transition(web, "active", by=slm, now=two_months_ago, reason="In force.")


def _olas_and_uc(by, users, c, year_ago):
    slm = users["sarah"]
    # OLAs with the internal teams, a UC with the hosting supplier.
    for team, lead, name, resolution in [
        (c["dev"], users["devlead"], "OLA Development", {"P1": 2 * HOUR, "P2": 6 * HOUR}),
        (c["ops"], users["opslead"], "OLA Operations", {"P1": HOUR, "P2": 4 * HOUR}),
    ]:
        ola = agreements.create_agreement(
            by=by, now=year_ago, name=name, kind="ola", team=team, owner=slm,
            services=[c["web"], c["orders"]], effective_from=year_ago,
            text=f"{team.name} supports the service desk on escalated incidents.",
        )
        _ticket_targets(ola.versions.get(number=1), by=slm, now=year_ago,
                        response={"P1": 15 * 60}, resolution=resolution)
        _sign(ola, slm=slm, on_behalf_of=lead, now=year_ago)
        agreements.transition(ola, "active", by=slm, now=year_ago, reason="In force.")

    uc = agreements.create_agreement(
        by=by, now=year_ago, name="CloudHost hosting UC", kind="uc", supplier=c["host"],
        owner=slm, services=[c["web"], c["orders"]], effective_from=year_ago,
        monthly_charge=12000, currency="GBP",
        # The SLAs it underpins: planning's fit check shows its 4 h P1 under their 2 h.
        underpins=list(Agreement.objects.filter(kind="sla", customer=c["retail_uk"])),
        text="CloudHost hosts the platform at 99.95 %, answers P1 calls in 15 minutes and "
             "fixes P1 faults in 4 hours, P2 in 8.",
    )
    version = uc.versions.get(number=1)
    versions.add_target(version, by=slm, now=year_ago, metric="availability",
                        percentage=99.95, calendar=c["24x7"], credit_percent=5)
    versions.add_target(version, by=slm, now=year_ago, metric="response", priority="P1",
                        duration_seconds=15 * 60, calendar=c["24x7"], objective_percent=99)
    for priority, hours in (("P1", 4), ("P2", 8)):
        versions.add_target(version, by=slm, now=year_ago, metric="resolution",
                            priority=priority, duration_seconds=hours * HOUR,
                            calendar=c["24x7"], objective_percent=95)
    _sign(uc, slm=slm, counterparty=users["hugo"], now=year_ago)
    agreements.transition(uc, "active", by=slm, now=year_ago, reason="In force.")


def _wholesale(by, slm, c, now):
    # Still being negotiated: the wholesale partners want faster P2 responses.
    with audit_time(now - timedelta(days=5)):
        wholesale = _wholesale_draft(by, slm, c, now)
    with audit_time(now - timedelta(days=4)):
        agreements.transition(wholesale, "in_negotiation", by=slm,
                              now=now - timedelta(days=4),
                              reason="Sent to the partners' procurement team.")


def _wholesale_draft(by, slm, c, now):
    wholesale = agreements.create_agreement(
        by=by, now=now - timedelta(days=5), name="Wholesale Partners SLA", kind="sla",
        structure="customer_based", customer=c["wholesale"], owner=slm,
        services=[c["orders"], c["inventory"]], effective_from=now + timedelta(days=30),
        text="Order processing and inventory for resellers, on UK business hours.",
    )
    _ticket_targets(
        wholesale.versions.get(number=1), by=slm, now=now - timedelta(days=5),
        calendar=c["uk"], response={"P1": 30 * 60, "P2": HOUR},
        resolution={"P1": 4 * HOUR, "P2": 8 * HOUR, "P3": 24 * HOUR},
    )
    return wholesale


def _escalation(by: User, at: datetime) -> None:
    """A local log channel and the default policy, so the escalation and notification pages
    show real entries (the worker delivers them to the ``accord.notifications`` log)."""
    channel = create_channel(by=by, name="Operations log", kind="log", config={}, now=at)
    create_policy(
        by=by, name="EcoShop default escalation", now=at,
        description="Every agreement: warn the service owner at 75 %, the service level "
                    "managers at breach (to be acknowledged).",
        steps=[
            {"threshold_kind": "percent_used", "threshold": 75, "level": "L1",
             "recipients": ["service_owner"], "channel_ids": [channel.pk]},
            {"threshold_kind": "percent_used", "threshold": 100, "level": "L2",
             "recipients": ["role:service_level_manager"], "channel_ids": [channel.pk],
             "requires_ack": True},
        ],
    )


def is_loaded() -> bool:
    return User.objects.filter(username="sarah").exists()


@transaction.atomic
def load(now: datetime, *, random_passwords: bool = False) -> list[DemoLogin]:
    """Create the demo provider unless it is there; returns the logins to print.

    ``random_passwords`` (production): each login gets a random password, returned this once;
    an account already there that still has the demo password gets a new random one."""
    passwords = {name: _new_password(random_passwords) for name in LOGINS}
    if not is_loaded():
        with audit_time(now - timedelta(days=402)):  # the audit trail matches the history
            users = _users(passwords)
            by = users["admin"]
            c = _catalogue(by, users)
            _escalation(by, now - timedelta(days=402))
        _agreements(by, users, c, now)
        with audit_time(now - timedelta(days=400)):  # planning: three agreement templates
            demo_templates.load(by=by, now=now - timedelta(days=400), calendars=c)
        demo_history.load(now, c, by)
        demo_experience.load(now, by)
        while fire_due(now):  # the open clocks past a step fire it now, as the worker would
            pass
        demo_reviews.load(now)
    elif random_passwords:
        for user in User.objects.filter(username__in=LOGINS):
            if user.check_password(DEMO_PASSWORD):
                accounts.set_password(user, passwords[user.username], by=None,
                                      reason="demo password replaced by a random one")
            else:
                passwords[user.username] = None
    else:
        passwords = {name: DEMO_PASSWORD for name in LOGINS}
    return [
        DemoLogin(u.username, passwords[u.username], u.get_role_display())
        for u in User.objects.filter(username__in=LOGINS).order_by("id")
    ]
