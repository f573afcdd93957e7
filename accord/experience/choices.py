from django.db import models


class FeedbackKind(models.TextChoices):
    CSAT = "csat", "Satisfaction (CSAT)"
    CES = "ces", "Effort (CES)"
    NPS = "nps", "Net promoter (NPS)"
    COMPLAINT = "complaint", "Complaint"
    COMPLIMENT = "compliment", "Compliment"
    COMMENT = "comment", "Comment"


# Scored kinds: (bottom of the scale, default top of the scale).
SCALES = {FeedbackKind.CSAT: (1, 5), FeedbackKind.CES: (1, 7), FeedbackKind.NPS: (0, 10)}
# Kinds a service owner enters by hand.
HAND_KINDS = (FeedbackKind.COMPLAINT, FeedbackKind.COMPLIMENT)


class FeedbackStatus(models.TextChoices):
    """What happened to one posted or imported feedback item."""

    STORED = "stored", "Stored"
    DUPLICATE = "duplicate", "Duplicate (same id, same content)"
    CONFLICT = "conflict", "Conflict (same id, different content: the stored record is kept)"
    REJECTED = "rejected", "Rejected"


class InviteState(models.TextChoices):
    """A survey invitation for one resolution of one ticket."""

    SENT = "sent", "Sent"
    ANSWERED = "answered", "Answered"
    SKIPPED = "skipped", "Not sent (no survey agreement, recipient or channel)"
