"""Channels, escalation policies and steps, the notification outbox, delivery attempts and
escalation records.

An escalation fired from a stored SLA clock points at it (``clock``) and keeps ``clock_ref``,
a readable reference that survives the clock row (clocks are a cache and can be rebuilt).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from accord.lib.errors import InvalidInput

from . import channels
from .choices import ChannelKind, Level, NotificationStatus, ThresholdKind
from .recipients import clean_recipients


class Channel(models.Model):
    """Where notifications go. ``config`` is validated by the kind's channel module."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    config = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    last_error = models.TextField(blank=True, help_text="The latest delivery error, if any.")
    created_at = models.DateTimeField(editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self):
        try:
            self.config = channels.clean_config(self.kind, self.config)
        except InvalidInput as exc:
            raise ValidationError({"config": f"{exc.field}: {exc.message}"}) from None

    def transport(self, at) -> channels.Transport:
        return channels.transport_class(self.kind)(self, at)

    @property
    def public_config(self) -> dict:
        return channels.redact(self.kind, self.config)


class EscalationPolicy(models.Model):
    """Who is told what, and when, as a clock runs. Scope: one target (overrides), one
    agreement, or neither (the global default; at most one, checked by services)."""

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    agreement = models.ForeignKey(
        "agreements.Agreement", models.CASCADE, null=True, blank=True,
        related_name="escalation_policies",
    )
    target = models.ForeignKey(
        "agreements.Target", models.CASCADE, null=True, blank=True,
        related_name="escalation_policies",
    )
    created_at = models.DateTimeField(editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "escalation policies"
        constraints = [
            models.UniqueConstraint(
                fields=["agreement"], condition=Q(agreement__isnull=False, target__isnull=True),
                name="one_escalation_policy_per_agreement",
            ),
            models.UniqueConstraint(
                fields=["target"], condition=Q(target__isnull=False),
                name="one_escalation_policy_per_target",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def scope(self) -> str:
        if self.target_id:
            return "target"
        return "agreement" if self.agreement_id else "default"


class EscalationStep(models.Model):
    """Fires when a clock crosses ``threshold``: a percentage of its target used, or a number
    of minutes before it is due. ``recipients`` is a list of specs (see recipients.py)."""

    policy = models.ForeignKey(EscalationPolicy, models.CASCADE, related_name="steps")
    threshold_kind = models.CharField(
        max_length=24, choices=ThresholdKind.choices, default=ThresholdKind.PERCENT_USED
    )
    threshold = models.PositiveIntegerField(help_text="Percent used, or minutes before due.")
    level = models.CharField(max_length=2, choices=Level.choices, default=Level.L1)
    recipients = models.JSONField(default=list, blank=True)
    channels = models.ManyToManyField(Channel, blank=True, related_name="steps")
    requires_ack = models.BooleanField(default=False)

    class Meta:
        ordering = ["policy", "threshold_kind", "threshold"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "threshold_kind", "threshold"], name="uniq_step_threshold"
            )
        ]

    def __str__(self):
        if self.threshold_kind == ThresholdKind.PERCENT_USED:
            return f"{self.level} at {self.threshold} % used"
        if self.threshold_kind == ThresholdKind.AT_RISK:
            level = f"{self.threshold} %" if self.threshold else "the configured level"
            return f"{self.level} when the breach probability reaches {level}"
        return f"{self.level} {self.threshold} min before due"

    @property
    def is_breach(self) -> bool:
        """A step at or past 100 % used: it fires when the target is used up."""
        return self.threshold_kind == ThresholdKind.PERCENT_USED and self.threshold >= 100

    def clean(self):
        try:
            self.recipients = clean_recipients(self.recipients)
        except InvalidInput as exc:
            raise ValidationError({"recipients": f"{exc.field}: {exc.message}"}) from None


class Escalation(models.Model):
    """A step fired on one clock: who was told, who acknowledged, what was decided."""

    key = models.CharField(max_length=200, unique=True, help_text="Fires once per key.")
    policy = models.ForeignKey(
        EscalationPolicy, models.SET_NULL, null=True, blank=True, related_name="escalations"
    )
    step = models.ForeignKey(
        EscalationStep, models.SET_NULL, null=True, blank=True, related_name="escalations"
    )
    level = models.CharField(max_length=2, choices=Level.choices)
    clock_ref = models.CharField(max_length=100, db_index=True, help_text="The SLA clock.")
    clock = models.ForeignKey(
        "measurement.Clock", models.SET_NULL, null=True, blank=True, related_name="escalations"
    )
    ticket_ref = models.CharField(max_length=100, blank=True)
    subject = models.CharField(max_length=255)
    at = models.DateTimeField(db_index=True)
    recipients = models.JSONField(default=list, blank=True, help_text="Who was notified.")
    requires_ack = models.BooleanField(default=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    recovery_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action_taken = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    follow_up = models.JSONField(
        null=True, blank=True,
        help_text="The follow-up action a breach opened (status, target, agreement, opened_at).",
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.level} {self.subject}"

    @property
    def awaiting_ack(self) -> bool:
        return self.requires_ack and self.acknowledged_at is None


class Notification(models.Model):
    """One message in the outbox, written in the transaction of the change that caused it and
    delivered at-least-once by the worker (``services.deliver_due``)."""

    idempotency_key = models.CharField(max_length=200, unique=True)
    channel = models.ForeignKey(Channel, models.PROTECT, related_name="notifications")
    escalation = models.ForeignKey(
        Escalation, models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    recipient = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    html = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField()
    next_attempt_at = models.DateTimeField(help_text="When a pending notification is due.")
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="While sending: when the claim lapses (crashed worker)."
    )
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(editable=False)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Shaped like the worker's two claim queries.
            models.Index(
                fields=["next_attempt_at"], condition=Q(status=NotificationStatus.PENDING),
                name="escalation_notification_due",
            ),
            models.Index(
                fields=["claimed_until"], condition=Q(status=NotificationStatus.SENDING),
                name="escalation_notification_lease",
            ),
            models.Index(fields=["status", "-created_at"], name="escalation_notification_list"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.recipient or self.channel.name}"


class DeliveryAttempt(models.Model):
    """One try at delivering a notification, written before the call. A row with no
    ``finished_at`` is an attempt whose worker died mid-delivery."""

    notification = models.ForeignKey(Notification, models.CASCADE, related_name="deliveries")
    number = models.PositiveIntegerField()
    worker = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["notification", "number"]

    def __str__(self):
        outcome = {True: "ok", False: "failed", None: "unfinished"}[self.ok]
        return f"attempt {self.number} of #{self.notification_id}: {outcome}"
