from django.db import models

from accord.clock.events import KINDS


class EventKind(models.TextChoices):
    """What happened to a ticket (DESIGN "The ticket event format")."""

    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    STATUS_CHANGED = "status_changed", "Status changed"
    COMMENTED = "commented", "Commented"
    RESPONDED = "responded", "Responded"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"


# The pure engine owns the vocabulary; the database choices must not drift from it.
assert set(EventKind.values) == set(KINDS), "EventKind and accord.clock.events.KINDS differ"


class TicketStage(models.TextChoices):
    """Where a ticket is in its life, derived from the kinds of its events."""

    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class IngestStatus(models.TextChoices):
    """What became of one item sent for intake."""

    STORED = "stored", "Stored"
    DUPLICATE = "duplicate", "Duplicate"
    REJECTED = "rejected", "Rejected"
    # Its (source, event_id) is stored (or earlier in the batch) with different content: the
    # stored event is kept unchanged, and the item is reported so the reused id is noticed.
    CONFLICT = "conflict", "Conflict"


class ClockState(models.TextChoices):
    """A stored clock's state (the engine's ``accord.clock.ClockState``)."""

    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"
    CANCELLED = "cancelled", "Cancelled"
    ENDED = "ended", "Ended"


# States in which a clock still moves (a breached clock without stopped_at is still open).
# ENDED is final: the clock's agreement has no version in force any more (expired or
# terminated), and the clock was closed at that instant (``stopped_at``).
OPEN_CLOCK_STATES = (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED)


class RecomputeScope(models.TextChoices):
    """What a recompute job rebuilds."""

    ALL = "all", "Every ticket"
    AGREEMENT = "agreement", "One agreement's tickets"
    CALENDAR = "calendar", "Tickets measured in one calendar"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
