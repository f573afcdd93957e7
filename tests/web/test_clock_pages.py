"""Ticket and clock pages: a ticket's SLA clocks with their timelines, the clock list's
filters, and the clock cards on the dashboard.

Acme's SLA (24x7): P1 resolved within 4 h, P2 within 1 h; the clock pauses while the ticket
waits for the customer. Tickets are ingested as events, so the clocks are the real thing.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from accord.agreements import services as agreements
from accord.catalogue import calendars
from accord.measurement.models import Clock, Ticket
from accord.measurement.services import ingest_events
from tests.web.conftest import HOUR, add_target, login, sign
from tests.web.test_dashboard import card

PENDING = {"field": "status", "in": ["Pending customer"]}


@pytest.fixture
def acme_24x7(slm, acme, web_shop):
    always = calendars.create_calendar(by=None, name="Always", tz="UTC", always_open=True)
    sla = agreements.create_agreement(
        by=slm, now=timezone.now(), name="Acme round the clock", kind="sla",
        structure="customer_based", customer=acme, services=[web_shop], owner=slm,
        effective_from=timezone.now() - timedelta(days=30),
    )
    version = sla.latest_version()
    add_target(version, slm, priority="P1", seconds=4 * HOUR, calendar=always,
               pause_condition=PENDING)
    add_target(version, slm, priority="P2", seconds=HOUR, calendar=always)
    sign(version, slm)
    agreements.transition(sla, "active", by=slm, now=timezone.now(), reason="in effect")
    return sla


def ticket(ticket_id, opened, *later, priority="P1", customer="Acme"):
    """Events of one Web Shop ticket: created at ``opened``, then (minutes after, kind,
    status) for each of ``later``."""
    events = [{"ticket_id": ticket_id, "timestamp": opened.isoformat(), "kind": "created",
               "status": "New", "priority": priority, "service": "Web Shop",
               "customer": customer}]
    for minutes, kind, status in later:
        events.append({"ticket_id": ticket_id, "kind": kind, "status": status,
                       "timestamp": (opened + timedelta(minutes=minutes)).isoformat()})
    return events


def ingest(*tickets):
    result = ingest_events([e for t in tickets for e in t], now=timezone.now(),
                           source_defaults={"source": "desk"})
    assert result.rejected == 0, result.as_dict()


def test_the_ticket_page_shows_its_clock_with_a_paused_segment(client, reader, acme_24x7):
    opened = timezone.now() - timedelta(days=2)
    ingest(ticket("INC-1", opened, (30, "status_changed", "Pending customer"),
                  (150, "status_changed", "In progress"), (210, "resolved", "Resolved")))
    login(client, reader)

    html = client.get(f"/tickets/{Ticket.objects.get().pk}/").content.decode()

    clock = html[html.index('class="panel section clock"'):]
    assert '<span class="badge met">Met</span>' in clock
    # 30 min running, 2 h waiting for the customer, 1 h running: 1 h 30 min of 4 h counted.
    assert ('<strong>1 h 30 min</strong> of 4 h <span class="muted">business time</span> (38 %)'
            in clock)
    assert "paused 2 h" in clock
    timeline = clock[clock.index('class="timeline"'):clock.index("tl-ends")]
    assert [s.split('"')[0] for s in timeline.split('class="tl ')[1:]] == [
        "running", "paused", "running"]
    assert "paused by event" in clock and "Pending customer" in clock
    assert "Acme round the clock" in clock


def test_the_clock_list_shows_open_clocks_soonest_due_first(client, reader, acme_24x7):
    now = timezone.now()
    ingest(ticket("INC-calm", now - timedelta(minutes=24)),  # 10 % of 4 h
           ticket("INC-hot", now - timedelta(minutes=200)),  # 83 % of 4 h
           ticket("INC-done", now - timedelta(hours=3), (60, "resolved", "Resolved")))
    login(client, reader)

    html = client.get("/clocks/").content.decode()

    assert "INC-done" not in html
    assert html.index("INC-hot") < html.index("INC-calm")


def test_the_clock_list_filters_at_risk_and_breached_clocks(client, reader, acme_24x7):
    now = timezone.now()
    ingest(ticket("INC-calm", now - timedelta(minutes=24)),
           ticket("INC-hot", now - timedelta(minutes=200)),
           ticket("INC-late", now - timedelta(hours=3), (90, "resolved", "Resolved"),
                  priority="P2"))
    login(client, reader)

    at_risk = client.get("/clocks/?at_risk=on").content.decode()
    breached = client.get("/clocks/?show=all&breached=on").content.decode()
    by_state = client.get("/clocks/?show=all&state=met").content.decode()

    assert "INC-hot" in at_risk and "INC-calm" not in at_risk and "INC-late" not in at_risk
    assert "INC-late" in breached and "INC-hot" not in breached
    assert "No clocks match." in by_state


def test_the_ticket_list_filters_and_scopes_to_the_customer(client, customer_user, reader,
                                                            acme_24x7, globex):
    now = timezone.now()
    ingest(ticket("INC-acme", now - timedelta(hours=1)),
           ticket("INC-acme-p2", now - timedelta(hours=2), (30, "resolved", "Resolved"),
                  priority="P2"),
           ticket("INC-globex", now - timedelta(hours=1), customer="Globex"))

    html = login(client, reader).get("/tickets/?open=on").content.decode()
    assert "INC-acme<" in html and "INC-globex" in html and "INC-acme-p2" not in html
    html = client.get("/tickets/?priority=P2").content.decode()
    assert "INC-acme-p2" in html and "INC-globex" not in html

    # carl, Acme's contact, sees Acme's tickets only, and cannot open Globex's.
    html = login(client, customer_user).get("/tickets/").content.decode()
    assert "INC-acme" in html and "INC-globex" not in html
    globex_ticket = Ticket.objects.get(ticket_id="INC-globex")
    assert client.get(f"/tickets/{globex_ticket.pk}/").status_code == 404


def test_the_dashboard_counts_open_at_risk_and_breached_clocks(client, slm, acme_24x7):
    now = timezone.now()
    ingest(ticket("INC-calm", now - timedelta(minutes=24)),
           ticket("INC-hot", now - timedelta(minutes=200)),
           ticket("INC-over", now - timedelta(minutes=61), priority="P2"),  # breached, open
           ticket("INC-done", now - timedelta(hours=3), (60, "resolved", "Resolved")))
    assert Clock.objects.count() == 4
    login(client, slm)

    html = client.get("/").content.decode()

    assert card(html, "Open clocks") == "3"
    assert card(html, "At risk (≥ 75 %)") == "1"
    assert card(html, "Breached this month") == "1"
    assert card(html, "Dead letters") == "0"
    assert 'href="/clocks/?at_risk=on"' in html
    assert "/notifications/?status=dead" in html


def test_tickets_and_clocks_need_a_login(client):
    assert client.get("/tickets/").status_code == 302
    assert client.get("/clocks/").status_code == 302
