"""Stored clocks and availability periods: caches derived from events, outages and agreements.

Rows here are written only by ``measurement.clocks`` / ``measurement.availability`` and can
be rebuilt at any time (``accord recompute``). Imported by ``models.py``.
"""

from django.db import models
from django.db.models import Q

from accord.agreements.choices import AgreementKind
from accord.agreements.models import Agreement, AgreementVersion, Target
from accord.catalogue.models import Calendar, Service

from .choices import ClockState


class JSONTextField(models.JSONField):
    """JSON stored as written: PostgreSQL's ``json`` type (checked, kept as text) instead
    of ``jsonb``, for values that are only ever read whole. Writing it costs the database
    less than ``jsonb``, which rebuilds every value into its binary form."""

    def db_type(self, connection):
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        if value is not None and not isinstance(value, str):  # psycopg parsed it already
            return value
        return super().from_db_value(value, expression, connection)


class Clock(models.Model):
    """One target applied to one ticket for one cycle, as the engine last computed it.

    ``next_event_at`` is the next warning or breach instant of a running clock (None
    otherwise): the escalation worker finds due clocks by it. ``warnings`` maps a percent
    (as text, e.g. "75") to the ISO instant it was crossed. ``calendar_version`` is the
    version of ``calendar`` the row was computed with; a higher version makes it stale.
    """

    # A cache of the engine's results, written only by ``clocks.store_rows`` with ids read
    # in the same transaction: the references are not checked by the database (that check
    # cost more than writing the row itself); Django still cascades deletes. Nor does each
    # get an index of its own: the composite indexes below lead with them.
    ticket = models.ForeignKey("measurement.Ticket", models.CASCADE, related_name="clocks",
                               db_constraint=False, db_index=False)
    target = models.ForeignKey(Target, models.CASCADE, related_name="+", db_constraint=False,
                               db_index=False)
    agreement = models.ForeignKey(Agreement, models.CASCADE, related_name="+",
                                  db_constraint=False, db_index=False)
    # Clocks come only from frozen versions, which can never be deleted: deleting a draft
    # version need not look for clocks (there is no index to find them by).
    version = models.ForeignKey(AgreementVersion, models.DO_NOTHING, related_name="+",
                                db_constraint=False, db_index=False)
    kind = models.CharField(max_length=8, choices=AgreementKind.choices)
    metric = models.CharField(max_length=16)
    holder = models.CharField(max_length=150, blank=True,
                              help_text="The team (OLA) or supplier (UC) whose time it measures.")
    cycle = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=ClockState.choices)
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    elapsed_seconds = models.FloatField()
    paused_seconds = models.FloatField()
    target_seconds = models.FloatField()
    due_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    percent = models.FloatField()
    warnings = JSONTextField(default=dict, blank=True)
    next_event_at = models.DateTimeField(null=True, blank=True)
    transitions = JSONTextField(default=list, blank=True)
    segments = JSONTextField(default=list, blank=True)
    attribution = JSONTextField(default=dict, blank=True)
    calendar = models.ForeignKey(Calendar, models.SET_NULL, null=True, blank=True,
                                 related_name="+", db_constraint=False, db_index=False)
    calendar_version = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "target", "cycle"],
                                    name="uniq_clock_per_ticket_target_cycle"),
        ]
        indexes = [
            # The escalation worker: WHERE next_event_at <= now AND state IN (running, breached)
            models.Index(fields=["next_event_at"], name="clock_due",
                         condition=Q(next_event_at__isnull=False)),
            models.Index(fields=["state", "started_at"], name="clock_state_started"),
            models.Index(fields=["agreement", "started_at"], name="clock_agreement_started"),
            # Reports: clocks of an agreement not stopped before a period (or still open).
            models.Index(fields=["agreement", "stopped_at"], name="clock_agreement_stopped"),
            models.Index(fields=["calendar", "calendar_version"], name="clock_calendar"),
            # Experience: the distinct tickets with a clock of an agreement (index-only).
            models.Index(fields=["agreement", "ticket"], name="clock_agreement_ticket"),
            # Breach prediction: the latest finished clocks of a target.
            models.Index(fields=["target", "stopped_at"], name="clock_target_stopped"),
            # The worker's refresh: open clocks under agreements that have ended (small:
            # only open clocks are in it).
            models.Index(fields=["agreement", "ticket"], name="clock_open_agreement",
                         condition=Q(stopped_at__isnull=True) & ~Q(state=ClockState.CANCELLED)),
        ]

    def __str__(self):
        return f"{self.ticket_id}/{self.target_id}#{self.cycle} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None and self.state != ClockState.CANCELLED


class AvailabilityPeriod(models.Model):
    """An availability target evaluated over one period (a month by default)."""

    target = models.ForeignKey(Target, models.CASCADE, related_name="+")
    agreement = models.ForeignKey(Agreement, models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, models.CASCADE, related_name="availability_periods")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    period = models.CharField(max_length=7, blank=True,
                              help_text="The month in the agreement's reporting zone, 2025-03.")
    agreed_seconds = models.FloatField()
    downtime_seconds = models.FloatField()
    availability = models.FloatField(
        null=True, blank=True,
        help_text="Percent of agreed service time available; empty with no agreed time.")
    objective = models.FloatField(help_text="The target's percentage.")
    met = models.BooleanField(null=True, blank=True)
    outages = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "service", "id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "service", "period_start"],
                                    name="uniq_availability_period"),
        ]
        indexes = [models.Index(fields=["service", "period_start"], name="availability_service"),
                   models.Index(fields=["period"], name="availability_period")]

    def __str__(self):
        measured = "no agreed time" if self.availability is None else f"{self.availability:.3f}%"
        month = self.period or self.period_start.strftime("%Y-%m")
        return f"{self.service} {month}: {measured}"
