from django.db import models


class ChannelKind(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Signed webhook"
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"
    LOG = "log", "Log (local sink)"


class NotificationStatus(models.TextChoices):
    """The outbox life cycle: pending -> sending -> delivered, or back to pending for a retry,
    or dead once the retries are used up (a dead letter, retried by hand)."""

    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Dead letter"


class Level(models.TextChoices):
    L1 = "L1", "Level 1"
    L2 = "L2", "Level 2"
    L3 = "L3", "Level 3"
    L4 = "L4", "Level 4"


class ThresholdKind(models.TextChoices):
    PERCENT_USED = "percent_used", "Percent of target used"
    MINUTES_BEFORE_DUE = "minutes_before_due", "Minutes before due"
    AT_RISK = "at_risk", "Predicted breach (at risk)"
