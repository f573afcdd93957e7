"""A small catalogue to test against: calendars, parties and services made by the services
layer itself (so they are audited like any other)."""

import pytest

from accord.catalogue import calendars, services
from accord.catalogue.models import Component, Customer, Service


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The personas get passwords; hashing them properly would dominate these tests' time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def office_hours(db):
    return calendars.create_calendar(
        by=None, name="London office", tz="Europe/London",
        hours={day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    )


@pytest.fixture
def web_shop(owner) -> Service:
    return services.create(Service, by=None, name="Web Shop", owner=owner, criticality=1,
                           status="live")


@pytest.fixture
def payroll(db) -> Service:
    return services.create(Service, by=None, name="Payroll", criticality=2, status="live")


@pytest.fixture
def database(db) -> Component:
    return services.create(Component, by=None, name="db1", kind="database")


@pytest.fixture
def acme(customer_user) -> Customer:
    return services.create(Customer, by=None, name="Acme", contacts=[customer_user])
