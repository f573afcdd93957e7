"""Two SLAs on one ticket that are not levels of one another (issue 15, trap 5): both are
measured, each credited to its own agreement; the ticket page groups the clocks by the
promise they measure and the agreement page warns about the overlap."""

from datetime import UTC, datetime

import pytest

from accord.agreements import services
from accord.agreements.queries import overlapping_slas
from accord.measurement.models import Clock, Ticket
from accord.measurement.services import ingest_events
from tests.conftest import NOW
from tests.measurement.clock_world import (  # noqa: F401
    HOUR,
    JAN_1,
    event,
    opened,
    sign,
    target,
    world_fixture,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def corporate(world, slm):
    """A corporate SLA of 1 hour for the Web Shop, beside Acme's customer SLA of 4 hours."""
    sla = services.create_agreement(by=slm, now=NOW, name="Shop corporate", kind="sla",
                                    structure="corporate", services=[world["shop"]],
                                    effective_from=JAN_1)
    target(sla, slm, priority="P1", seconds=1 * HOUR)
    sign(sla.latest_version(), slm)
    return sla


def resolved_in_two_hours():
    ingest_events([opened("2025-03-03T09:00"),
                   event(2, "2025-03-03T11:00", "resolved", status="Resolved")],
                  now=datetime(2025, 3, 3, 12, tzinfo=UTC))


def test_both_slas_are_measured_each_on_its_own_agreement(world, corporate):
    resolved_in_two_hours()

    outcomes = dict(Clock.objects.filter(kind="sla", metric="resolution")
                    .values_list("agreement_id", "state"))
    assert outcomes == {world["sla"].pk: "met", corporate.pk: "breached"}


def test_the_ticket_page_groups_clocks_by_the_promise_they_measure(world, corporate, client,
                                                                    reader):
    resolved_in_two_hours()
    client.force_login(reader)

    page = client.get(f"/tickets/{Ticket.objects.get().pk}/").content.decode()

    assert "covered by 2 SLAs that are not levels of one another" in page
    acme = page.index(f'id="promise-{world["sla"].pk}"')
    corp = page.index(f'id="promise-{corporate.pk}"')
    assert "SLA to Acme (customer)" in page[acme:acme + 400]
    assert "SLA to all customers (corporate)" in page[corp:corp + 400]
    assert corporate.reference in page[corp:corp + 400]


def test_the_agreement_page_warns_about_an_unlinked_overlap(world, corporate, client, slm):
    client.force_login(slm)

    page = client.get(f"/agreements/{world['sla'].pk}/").content.decode()

    assert "Overlapping SLA" in page and corporate.reference in page
    assert overlapping_slas(corporate) == [world["sla"]]
    assert overlapping_slas(world["ola"]) == []


def test_levels_of_one_multi_level_sla_do_not_warn(world, corporate, slm):
    level = services.create_agreement(by=slm, now=NOW, name="Acme level", kind="sla",
                                      structure="customer_level", customer=world["acme"],
                                      parent=corporate, services=[world["shop"]])

    assert corporate not in overlapping_slas(level)
    assert level not in overlapping_slas(corporate)
