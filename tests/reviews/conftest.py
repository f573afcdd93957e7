"""The governance world: the reporting world (Acme's SLA with P1/P2 targets on the Web Shop)
with owners: Sam (SLM) owns the SLA, Oscar (service owner) the Web Shop; an email channel for
reminders."""

import pytest

from accord.escalation import services as escalation_services
from tests.conftest import NOW
from tests.reporting.conftest import world_fixture  # noqa: F401


@pytest.fixture(name="gov")
def gov_fixture(world, slm, owner):
    world["sla"].owner = slm
    world["sla"].save(update_fields=["owner"])
    world["shop"].owner = owner
    world["shop"].save(update_fields=["owner"])
    world["sla"].services.set([world["shop"]])
    return world


@pytest.fixture(name="mail")
def mail_fixture(db):
    return escalation_services.create_channel(by=None, name="Mail", kind="email",
                                              config={"addresses": []}, now=NOW)
