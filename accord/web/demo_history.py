"""EcoShop's last ~60 days of incidents, as ticket events, and this month's outages.

Deterministic (one seeded ``random.Random``) and relative to ``now``. Everything goes through
``measurement.services`` (``ingest_events``, ``create_outage``), so the stored clocks are
computed exactly as in production. Wall-clock durations are drawn as fractions of the
targets' business time: on business-hour calendars most tickets therefore use less of their
target than on 24x7 ones, as in real life.
"""

import random
from datetime import datetime, timedelta

from accord.accounts.services import audit_time
from accord.measurement import services as measurement

SOURCE = "ecoshop-desk"
SEED = 2025
DAYS = 60
CLOSED = 300  # tickets finished before now
STILL_OPEN = 20
PENDING_STATUS = "Pending customer"
MIN = 60
HOUR = 3600

SERVICES = ["Web Shop"] * 4 + ["Order Processing"] * 3 + ["Customer Accounts"] * 2 + ["Inventory"]
CUSTOMERS = ["Retail UK"] * 5 + ["Retail US"] * 3 + ["Wholesale Partners"] * 2
PRIORITIES = ["P1"] * 1 + ["P2"] * 4 + ["P3"] * 9 + ["P4"] * 6
# Corporate targets (v2), in seconds: how long responses and resolutions may take.
RESPONSE = {"P1": 30 * MIN, "P2": 2 * HOUR, "P3": 8 * HOUR, "P4": 16 * HOUR}
RESOLUTION = {"P1": 2 * HOUR, "P2": 8 * HOUR, "P3": 30 * HOUR, "P4": 50 * HOUR}
SUMMARIES = {
    "Web Shop": ["Checkout page times out", "Product images missing", "Basket empties itself",
                 "Search returns nothing", "Slow category pages", "Promo code rejected"],
    "Order Processing": ["Orders stuck in 'paid'", "Dispatch labels not printed",
                         "Payment declined for valid cards", "Duplicate order emails"],
    "Customer Accounts": ["Password reset mail not arriving", "Cannot sign in with Google",
                          "Address book not saving"],
    "Inventory": ["Stock level wrong after return", "Reservation not released"],
}


class _Ticket:
    """Builds one ticket's events in time order."""

    def __init__(self, number: int, opened: datetime, fields: dict):
        self.id = f"INC{number:05d}"
        self.events: list[dict] = []
        self.at = opened
        self.add("created", status="New", team="Service Desk", **fields)

    def add(self, kind: str, **fields) -> None:
        n = len(self.events) + 1
        self.events.append({"source": SOURCE, "event_id": f"{self.id}-{n}", "ticket_id": self.id,
                            "timestamp": self.at.isoformat(), "kind": kind, **fields})

    def after(self, seconds: float, kind: str, **fields) -> None:
        self.at += timedelta(seconds=max(60, seconds))
        self.add(kind, **fields)


def _fraction(rng: random.Random, breach: bool) -> float:
    """The share of a target a step takes: mostly well inside, sometimes over."""
    if breach:
        return rng.uniform(1.3, 2.5)
    return min(0.9, rng.lognormvariate(-1.2, 0.6))


def _work(rng, ticket: _Ticket, budget: float, priority: str) -> None:
    """The work between the response and the resolution: hand-offs and customer pauses,
    spending ``budget`` seconds of wall time in all."""
    steps = []
    roll = rng.random()
    if roll < 0.25:
        steps.append(("team", rng.choice(["Development", "Operations"])))
    elif roll < 0.5 and priority in ("P1", "P2"):
        steps.append(("supplier", "CloudHost Ltd"))
    if rng.random() < 0.2:
        steps.append(("pending", None))
    share = budget / (len(steps) + 1)
    for what, name in steps:
        if what == "team":
            ticket.after(share * 0.3, "status_changed", status="Assigned", team=name,
                         payload={"note": f"Handed to {name}"})
            ticket.after(share * 0.7, "commented", public=False,
                         payload={"note": f"{name} found the cause"})
        elif what == "supplier":
            ticket.after(share * 0.2, "status_changed", status="With supplier", supplier=name,
                         payload={"note": f"Raised with {name}"})
            ticket.after(share * 0.8, "status_changed", status="In progress", supplier="",
                         payload={"note": f"{name} fixed the platform"})
        else:
            ticket.after(share * 0.2, "status_changed", status=PENDING_STATUS, public=True,
                         payload={"note": "Asked the customer for details"})
            # Waiting for the customer does not count: it may take a day or more.
            ticket.after(rng.uniform(2, 30) * HOUR, "status_changed", status="In progress",
                         public=True, payload={"note": "Customer replied"})
    ticket.at += timedelta(seconds=share)


def _finished(rng, number: int, opened: datetime, now: datetime) -> _Ticket:
    priority = rng.choice(PRIORITIES)
    service = rng.choice(SERVICES)
    breach = rng.random() < 0.06
    ticket = _Ticket(number, opened, {
        "priority": priority, "type": "incident", "service": service,
        "customer": rng.choice(CUSTOMERS), "impact": "high" if priority == "P1" else "medium",
        "payload": {"summary": rng.choice(SUMMARIES[service])},
    })
    late_response = breach and rng.random() < 0.4
    ticket.after(RESPONSE[priority] * _fraction(rng, late_response), "responded",
                 status="In progress", public=True)
    resolution = RESOLUTION[priority] * _fraction(rng, breach and not late_response)
    _work(rng, ticket, resolution, priority)
    ticket.add("resolved", status="Resolved", payload={"resolution": "Fixed"})
    if rng.random() < 0.05:  # the fix did not hold
        ticket.after(rng.uniform(2, 20) * HOUR, "reopened", status="In progress",
                     payload={"note": "Customer says it happens again"})
        ticket.after(RESOLUTION[priority] * _fraction(rng, False), "resolved",
                     status="Resolved")
    close_at = ticket.at + timedelta(days=3)
    if close_at < now:
        ticket.at = close_at
        ticket.add("closed", status="Closed")
    return ticket


def _open(rng, number: int, now: datetime, used: float, priority: str, pending: bool):
    """A ticket still open now, on the 24x7 Web Shop, having used ``used`` of its target."""
    opened = now - timedelta(seconds=RESOLUTION[priority] * used)
    ticket = _Ticket(number, opened, {
        "priority": priority, "type": "incident", "service": "Web Shop",
        "customer": rng.choice(["Retail UK", "Wholesale Partners"]),
        "payload": {"summary": rng.choice(SUMMARIES["Web Shop"])},
    })
    ticket.after(min(RESPONSE[priority] * 0.5, RESOLUTION[priority] * used * 0.3), "responded",
                 status="In progress", public=True)
    if pending:
        ticket.after(RESOLUTION[priority] * used * 0.3, "status_changed",
                     status=PENDING_STATUS, public=True,
                     payload={"note": "Waiting for a screenshot from the customer"})
    return ticket


def events(now: datetime, *, seed: int = SEED) -> list[dict]:
    """The events of every demo ticket, ready for ``ingest_events``."""
    rng = random.Random(seed)
    start = now - timedelta(days=DAYS)
    tickets = []
    for number in range(1, CLOSED + 1):
        opened = start + timedelta(seconds=rng.uniform(0, (DAYS - 4) * 86400))
        ticket = _finished(rng, number, opened, now)
        if ticket.at >= now:  # runs into the present: open it earlier
            continue
        tickets.append(ticket)
    # Still open: spread over the percent of target used, a couple already breached.
    shares = [0.1, 0.2, 0.3, 0.35, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.72, 0.78, 0.82, 0.85,
              0.9, 0.95, 1.4, 1.8]
    for i, used in enumerate(shares[:STILL_OPEN - 2]):
        priority = rng.choice(["P2", "P2", "P3", "P3", "P4"]) if used < 1 else "P2"
        tickets.append(_open(rng, CLOSED + 1 + i, now, used, priority, pending=False))
    for i in range(2):  # waiting for the customer: their clocks are paused
        tickets.append(_open(rng, CLOSED + 100 + i, now, 0.4, "P3", pending=True))
    return [event for ticket in tickets for event in ticket.events]


def outages(now: datetime, c: dict) -> list[dict]:
    """Two outages of the Web Shop's components, this month unless it has just begun."""
    month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    first = month + timedelta(days=1, hours=3)
    if first > now - timedelta(days=3):  # early in the month: last week instead
        first = now - timedelta(days=6, hours=9)
    return [
        {"component": c["shopapp"], "start": first, "end": first + timedelta(minutes=38),
         "impact": 1.0, "description": "shop-app crashed after a bad deploy; rolled back.",
         "source": SOURCE, "external_id": "OUT-1"},
        {"component": c["cloud"], "start": now - timedelta(days=2, hours=5),
         "end": now - timedelta(days=2, hours=4, minutes=10), "impact": 0.5,
         "description": "CloudHost storage latency: pages slow, checkout degraded.",
         "source": SOURCE, "external_id": "OUT-2"},
    ]


def load(now: datetime, c: dict, by) -> None:
    """Ingest the ticket history and record the outages (a fresh demo only)."""
    with audit_time(now):
        result = measurement.ingest_events(events(now), now=now, user=by)
    if result.rejected:
        bad = next(r for r in result.results if r.errors)
        raise ValueError(f"demo history: {result.rejected} events rejected, e.g. {bad.errors}")
    for data in outages(now, c):
        with audit_time(data["end"]):  # recorded when it was over
            measurement.create_outage(data, user=by)
