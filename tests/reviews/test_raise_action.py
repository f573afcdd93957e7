"""One click raises an action: from a breached clock on the ticket page, and from a
watermelon flag (issues 10 and 11). The owner and due date come from the agreement."""

from datetime import UTC, datetime

import pytest

from accord.reviews.models import Action
from tests.reporting.conftest import clock, world_fixture  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_it_raises_an_action_from_a_breached_clock(client, world, slm):
    breached = clock(world["p1"], "breached", at("2025-03-10T00:00"))
    type(world["sla"]).objects.filter(pk=world["sla"].pk).update(owner=slm)
    client.force_login(slm)

    page = client.get(f"/tickets/{breached.ticket_id}/")
    assert b"Raise an action" in page.content
    answer = client.post("/actions/raise", {"clock": breached.pk, "title": "Find the cause"})

    action = Action.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/actions/{action.pk}/"
    assert (action.clock_id, action.agreement_id, action.source) == (
        breached.pk, world["sla"].pk, "breach")
    assert action.owner == slm and action.due is not None  # the agreement's owner


def test_it_raises_an_action_from_a_watermelon_flag_by_reference(client, world, slm):
    client.force_login(slm)

    client.post("/actions/raise", {"agreement": world["sla"].reference,
                                   "title": "Users unhappy although SLA-0001 is green"})

    assert Action.objects.get().agreement_id == world["sla"].pk


def test_a_portal_user_or_a_reader_cannot_raise_one(client, world, customer_user, reader):
    breached = clock(world["p1"], "breached", at("2025-03-10T00:00"))
    for user in (customer_user, reader):
        client.force_login(user)
        answer = client.post("/actions/raise", {"clock": breached.pk, "title": "X"})
        assert answer.status_code == 403
    assert not Action.objects.exists()


def test_an_empty_title_changes_nothing(client, world, slm):
    client.force_login(slm)

    client.post("/actions/raise", {"agreement": world["sla"].pk, "title": "  "})

    assert not Action.objects.exists()
