"""The web UI's test world, made through the services layer (so it is audited like real use).

The pages read the wall clock (``timezone.now()``), so dates here are relative to it:
Acme's SLA was signed 400 days ago and is overdue for review; Globex's is a fresh draft.

    Web Shop  (live, critical, owned by oscar) -> Payments (live) -> db1 (database)
    Payroll   (live, owned by olga)
    Acme  (customer, contact: carl)  SLA-Acme:   v1 signed, active, review overdue; v2 draft
    Globex (customer)                SLA-Globex: v1 draft with one target
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from accord.accounts import services as accounts
from accord.agreements import services as agreements
from accord.agreements import versions
from accord.catalogue import calendars, dependencies
from accord.catalogue import services as catalogue
from accord.catalogue.models import Component, Customer, Service
from tests.conftest import sign_on_behalf

HOUR = 3600


def days_ago(n: int):
    return timezone.now() - timedelta(days=n)


@pytest.fixture
def office_hours(db):
    return calendars.create_calendar(
        by=None, name="London office", tz="Europe/London", country="GB", subdivision="ENG",
        hours={day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    )


@pytest.fixture
def olga(db):
    return accounts.create_user("olga", role="service_owner", password="pw")


@pytest.fixture
def web_shop(owner, office_hours):
    return catalogue.create(Service, by=None, name="Web Shop", owner=owner, criticality=1,
                            status="live", calendar=office_hours)


@pytest.fixture
def payroll(olga):
    return catalogue.create(Service, by=None, name="Payroll", owner=olga, criticality=2,
                            status="live")


@pytest.fixture
def payments(web_shop):
    payments = catalogue.create(Service, by=None, name="Payments", criticality=1, status="live")
    db1 = catalogue.create(Component, by=None, name="db1", kind="database")
    dependencies.add_dependency(payments, depends_on=db1, by=None)
    dependencies.add_dependency(web_shop, depends_on=payments, by=None)
    return payments


@pytest.fixture
def acme(customer_user):
    return catalogue.create(Customer, by=None, name="Acme", contacts=[customer_user])


@pytest.fixture
def globex(db):
    return catalogue.create(Customer, by=None, name="Globex")


def add_target(version, by, *, metric="resolution", priority="P1", seconds=4 * HOUR, **extra):
    return versions.add_target(version, by=by, now=timezone.now(), metric=metric,
                               priority=priority, duration_seconds=seconds,
                               objective_percent=95, **extra)


def sign(version, slm, *, counterparty=None):
    now = timezone.now()
    versions.approve(version, party="provider", by=slm, now=now)
    if counterparty is None:
        sign_on_behalf(version, slm, now)
    else:
        versions.approve(version, party="counterparty", by=counterparty, now=now)
    version.refresh_from_db()
    return version


@pytest.fixture
def acme_sla(slm, acme, web_shop):
    """Signed 400 days ago (its review is overdue), active, and a v2 draft with 2 h instead
    of 4 h for P1 resolution."""
    sla = agreements.create_agreement(
        by=slm, now=timezone.now(), name="Acme Web Shop", kind="sla",
        structure="customer_based", customer=acme, services=[web_shop], owner=slm,
        effective_from=days_ago(400), text="Acme terms",
    )
    v1 = sla.latest_version()
    add_target(v1, slm)
    sign(v1, slm)
    agreements.transition(sla, "active", by=slm, now=timezone.now(), reason="in effect")
    v2 = versions.new_draft_version(sla, by=slm, now=timezone.now(), effective_from=days_ago(1))
    versions.update_target(v2.targets.get(), by=slm, now=timezone.now(), duration_seconds=2 * HOUR)
    sla.refresh_from_db()
    return sla


@pytest.fixture
def globex_sla(slm, globex, payroll):
    sla = agreements.create_agreement(
        by=slm, now=timezone.now(), name="Globex Payroll", kind="sla",
        structure="customer_based", customer=globex, services=[payroll],
        effective_from=days_ago(10),
    )
    add_target(sla.latest_version(), slm, seconds=8 * HOUR)
    return sla


def login(client, user):
    client.force_login(user)
    return client
