from django.db import models


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


LIVE_ACTION = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED)


class RiskStatus(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


class ActionSource(models.TextChoices):
    MANUAL = "manual", "Raised by hand"
    BREACH = "breach", "A breach (escalation follow-up or one click on the clock)"
    REPEATED_BREACH = "repeated_breach", "The same target breached repeatedly in a period"
    REVIEW = "review", "A review"
    PLAN = "plan", "An improvement plan"
    RISK = "risk", "A risk"


class Reminder(models.TextChoices):
    OWNER = "owner", "The owner, once overdue"
    SERVICE_OWNER = "service_owner", "The service owner, after the grace period"


class ReviewKind(models.TextChoices):
    PERFORMANCE = "performance", "Performance review"
    AGREEMENT = "agreement", "Agreement review"


class ReviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "Open (figures frozen)"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


LIVE_REVIEW = (ReviewStatus.SCHEDULED, ReviewStatus.OPEN)


class Cadence(models.TextChoices):
    MONTH = "month", "Monthly"
    QUARTER = "quarter", "Quarterly"
    YEAR = "year", "Yearly"


class Verdict(models.TextChoices):
    KEEP = "keep", "Keep"
    TIGHTEN = "tighten", "Tighten"
    RELAX = "relax", "Relax"
    RETIRE = "retire", "Retire"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft (proposed)"
    APPROVED = "approved", "Approved"
    STARTED = "started", "Started"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class RiskState(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATING = "mitigating", "Being mitigated"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


class DocumentKind(models.TextChoices):
    SIGNED_AGREEMENT = "signed_agreement", "Signed agreement text"
    MINUTES = "minutes", "Review minutes"
    EVIDENCE = "evidence", "Evidence"
    OTHER = "other", "Other"
