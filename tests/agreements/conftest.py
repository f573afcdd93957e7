"""Agreements test world: Acme (a customer whose contact is carl, the customer-portal
persona), the Web Shop service, and helpers that draft and sign agreements as sam (the SLM)."""

from datetime import UTC, datetime

import pytest

from accord.agreements import services, versions
from accord.agreements.choices import DURATION_METRICS
from accord.catalogue.models import Customer, Service
from tests.conftest import NOW, sign_on_behalf

JAN_1 = datetime(2025, 1, 1, tzinfo=UTC)
HOUR = 3600


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The personas' passwords need no real hashing here; keeps the suite fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def acme(db, customer_user):
    acme = Customer.objects.create(name="Acme")
    acme.contacts.add(customer_user)
    return acme


@pytest.fixture
def web_shop(db):
    return Service.objects.create(name="Web Shop", status="live")


@pytest.fixture
def draft_sla(slm, acme, web_shop):
    """A customer-based SLA for Acme's Web Shop, effective 1 January, with one target."""
    agreement = services.create_agreement(
        by=slm, now=NOW, name="Acme Web Shop", kind="sla", structure="customer_based",
        customer=acme, services=[web_shop], effective_from=JAN_1, text="Acme terms",
    )
    add_target(agreement.latest_version(), slm)
    return agreement


def add_target(version, by, metric="resolution", priority="P1", seconds=4 * HOUR, **extra):
    return versions.add_target(
        version, by=by, now=NOW, metric=metric, priority=priority,
        duration_seconds=seconds if metric in DURATION_METRICS else None, **extra,
    )


def sign(version, slm, counterparty_user=None, now=NOW):
    """Both parties approve ``version``: sam for the provider, then the counterparty's own
    contact (or sam on their behalf)."""
    versions.approve(version, party="provider", by=slm, now=now)
    if counterparty_user is not None:
        versions.approve(version, party="counterparty", by=counterparty_user, now=now)
    else:
        sign_on_behalf(version, slm, now)
    version.refresh_from_db()
    return version
