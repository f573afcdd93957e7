"""Measurement intake: tickets and their append-only events, outages, maintenance windows.

Events are the truth; a ticket's fields are derived by folding its events in canonical order
(see ``Ticket.fold``), so the order in which events arrive does not matter.
"""

from operator import attrgetter

from django.db import models
from django.db.models import Q

from accord.catalogue.models import Component, Customer, Service, Supplier, Team
from accord.clock.events import KIND_RANK, TICKET_FIELDS

from .choices import EventKind, TicketStage

# Ticket fields that name catalogue entries (stored on events as names, on tickets as FKs).
CATALOGUE_FIELDS = {"service": Service, "customer": Customer, "team": Team, "supplier": Supplier}
TEXT_FIELDS = tuple(f for f in TICKET_FIELDS if f not in CATALOGUE_FIELDS)
_ticket_fields = attrgetter(*TICKET_FIELDS)
_LIFECYCLE = frozenset(("created", "reopened", "resolved", "closed"))  # kinds that move it


class Source(models.Model):
    """Where events come from (a tool, a log file, an integration), with its import policy."""

    name = models.CharField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    create_missing = models.BooleanField(
        default=False,
        help_text="Create unknown services, customers, teams and suppliers named by its events.",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Ticket(models.Model):
    """A ticket's latest state, derived from its events. Never edited by hand."""

    source = models.CharField(max_length=64)
    ticket_id = models.CharField(max_length=128)
    status = models.CharField(max_length=100, blank=True)
    priority = models.CharField(max_length=32, blank=True)
    impact = models.CharField(max_length=64, blank=True)
    urgency = models.CharField(max_length=64, blank=True)
    type = models.CharField(max_length=64, blank=True)
    service = models.ForeignKey(
        Service, models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    customer = models.ForeignKey(
        Customer, models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    team = models.ForeignKey(Team, models.SET_NULL, null=True, blank=True, related_name="tickets")
    supplier = models.ForeignKey(
        Supplier, models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    stage = models.CharField(max_length=16, choices=TicketStage.choices, default=TicketStage.OPEN)
    opened_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    event_count = models.PositiveIntegerField(default=0)
    payload = models.JSONField(default=dict, blank=True)
    recheck_at = models.DateTimeField(
        null=True, blank=True, help_text="The instant of its earliest event stamped ahead of "
        "the last computation of its clocks: the worker recomputes them then.")

    class Meta:
        ordering = ["-last_event_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "ticket_id"], name="uniq_ticket_per_source")
        ]
        indexes = [models.Index(fields=["-last_event_at", "-id"], name="ticket_recent"),
                   models.Index(fields=["recheck_at"], name="ticket_recheck",
                                condition=Q(recheck_at__isnull=False)),
                   # The survey worker's step (experience.survey.next_resolved): the oldest
                   # resolution of the last days not yet handled, in (resolved_at, id) order.
                   models.Index(fields=["resolved_at", "id"], name="ticket_resolved",
                                condition=Q(resolved_at__isnull=False)),
                   # Experience: tickets opened in a period (complaints per 100 tickets).
                   models.Index(fields=["opened_at", "id"], name="ticket_opened")]

    def __str__(self):
        return f"{self.source}:{self.ticket_id}" if self.source else self.ticket_id

    @staticmethod
    def fold(events) -> dict:
        """The derived fields of a ticket from its events (``TicketEvent`` rows or objects
        with the same attributes), in canonical order: (timestamp, kind, source, event_id).

        Same semantics as ``accord.clock.events.apply``: None keeps the previous value,
        "" clears it; a payload value of None removes the key. Catalogue fields come back as
        names under their field name.
        """
        state: dict = {}
        payload: dict = {}
        derived = {"opened_at": None, "resolved_at": None, "closed_at": None,
                   "stage": TicketStage.OPEN, "last_event_at": None, "event_count": 0}
        ordered = sorted(events, key=lambda e: (e.timestamp, KIND_RANK[e.kind], e.source,
                                                e.event_id))
        for event in ordered:
            for name, value in zip(TICKET_FIELDS, _ticket_fields(event)):  # noqa: B905
                if value is not None:
                    if value:
                        state[name] = value
                    else:  # "" clears it
                        state.pop(name, None)
            if event.payload:
                for key, value in event.payload.items():
                    if value is None:
                        payload.pop(key, None)
                    else:
                        payload[key] = value
            if event.kind in _LIFECYCLE:
                _lifecycle(derived, event)
        derived["event_count"] = len(ordered)
        derived["last_event_at"] = ordered[-1].timestamp if ordered else None
        if derived["opened_at"] is None and ordered:
            derived["opened_at"] = ordered[0].timestamp
        return {**{name: state.get(name, "") for name in TICKET_FIELDS}, **derived,
                "payload": payload}


def _lifecycle(derived: dict, event) -> None:
    kind = event.kind
    if kind == EventKind.CREATED:
        if derived["opened_at"] is None:
            derived["opened_at"] = event.timestamp
    elif kind == EventKind.REOPENED:
        derived.update(stage=TicketStage.OPEN, resolved_at=None, closed_at=None)
    elif kind == EventKind.RESOLVED:
        if derived["stage"] == TicketStage.OPEN:
            derived.update(stage=TicketStage.RESOLVED, resolved_at=event.timestamp)
    elif kind == EventKind.CLOSED:
        if derived["stage"] != TicketStage.CLOSED:
            derived.update(stage=TicketStage.CLOSED, closed_at=event.timestamp)
            derived["resolved_at"] = derived["resolved_at"] or event.timestamp


class TicketEvent(models.Model):
    """One event of the normalized ticket event format. Append-only: stored once per
    (source, event_id), never updated. ``None`` in a field means "absent" (keep the ticket's
    value), ``""`` means "cleared". Catalogue fields hold names, as sent."""

    # No database-level constraint: intake always writes the ticket first, and checking it
    # row by row costs half as much again as inserting the events (measured on PostgreSQL).
    # Deleting a ticket through Django still deletes its events.
    # The (ticket, timestamp) index below serves lookups by ticket.
    ticket = models.ForeignKey(Ticket, models.CASCADE, related_name="events", db_constraint=False,
                               db_index=False)
    source = models.CharField(max_length=64)
    event_id = models.CharField(max_length=128)
    timestamp = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    status = models.CharField(max_length=100, null=True, blank=True)
    priority = models.CharField(max_length=32, null=True, blank=True)
    impact = models.CharField(max_length=64, null=True, blank=True)
    urgency = models.CharField(max_length=64, null=True, blank=True)
    type = models.CharField(max_length=64, null=True, blank=True)
    service = models.CharField(max_length=150, null=True, blank=True)
    customer = models.CharField(max_length=150, null=True, blank=True)
    team = models.CharField(max_length=150, null=True, blank=True)
    supplier = models.CharField(max_length=150, null=True, blank=True)
    public = models.BooleanField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["timestamp", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "event_id"], name="uniq_event_per_source")
        ]
        indexes = [models.Index(fields=["ticket", "timestamp"], name="event_ticket_time")]

    def __str__(self):
        return f"{self.event_id} {self.kind} at {self.timestamp:%Y-%m-%d %H:%M:%S}"

    @property
    def sort_key(self) -> tuple:
        return (self.timestamp, KIND_RANK[self.kind], self.source, self.event_id)


class Outage(models.Model):
    """A period when a service or component was down (impact 1) or degraded (0 < impact < 1).
    An outage without an end is still going on."""

    service = models.ForeignKey(
        Service, models.CASCADE, null=True, blank=True, related_name="outages"
    )
    component = models.ForeignKey(
        Component, models.CASCADE, null=True, blank=True, related_name="outages"
    )
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    impact = models.FloatField(default=1.0)
    planned = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=64, blank=True)
    external_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(service__isnull=False, component__isnull=True)
                           | Q(service__isnull=True, component__isnull=False)),
                name="outage_has_exactly_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")),
                name="outage_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=0, impact__lte=1), name="outage_impact_0_to_1"
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~Q(external_id=""),
                name="uniq_outage_per_source",
            ),
        ]
        indexes = [models.Index(fields=["start"], name="outage_start")]

    def __str__(self):
        return f"{self.subject} down from {self.start:%Y-%m-%d %H:%M}"

    @property
    def subject(self):
        return self.service or self.component


class MaintenanceWindow(models.Model):
    """Agreed time for planned work on a service: outside agreed service time."""

    service = models.ForeignKey(Service, models.CASCADE, related_name="maintenance_windows")
    start = models.DateTimeField()
    end = models.DateTimeField()
    description = models.TextField(blank=True)
    source = models.CharField(max_length=64, blank=True)
    external_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="maintenance_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~Q(external_id=""),
                name="uniq_maintenance_per_source",
            ),
        ]

    def __str__(self):
        return f"{self.service} maintenance {self.start:%Y-%m-%d %H:%M}"


from .clock_models import AvailabilityPeriod, Clock  # noqa: E402  (models of this app)
from .exclusions import (  # noqa: E402
    BreachInvestigation,
    ClockExclusion,
    ObjectiveInvestigation,
    ReasonCode,
)
from .job_models import RecomputeJob  # noqa: E402

__all__ = ["Source", "Ticket", "TicketEvent", "Outage", "MaintenanceWindow", "Clock",
           "AvailabilityPeriod", "ClockExclusion", "ReasonCode", "BreachInvestigation",
           "ObjectiveInvestigation",
           "RecomputeJob", "CATALOGUE_FIELDS"]
