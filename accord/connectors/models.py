"""Connectors (a service desk feeding Accord), their deliveries and dead letters.

A connector's ``secret`` verifies what its desk sends; ``credentials`` (for pull sync) are
stored but never shown back by the API, the admin or the pages. Delivery statistics are
counters kept by the services on every delivery, so a list of connectors reads no rows.
"""

from django.db import models

from .choices import ConnectorKind, DeadLetterStatus, DeliveryChannel, DeliveryOutcome


class Connector(models.Model):
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=ConnectorKind.choices)
    source = models.CharField(max_length=64, help_text="The event source its events carry.")
    mapping = models.JSONField(default=dict, blank=True)
    secret = models.CharField(max_length=200, help_text="Verifies what the desk sends.")
    base_url = models.URLField(blank=True, help_text="The desk's address, for pull sync.")
    credentials = models.JSONField(default=dict, blank=True,
                                   help_text="For pull sync; never shown back.")
    enabled = models.BooleanField(default=True)
    sync_interval_minutes = models.PositiveIntegerField(
        default=0, help_text="Pull sync by the worker every so many minutes (0: never).")
    sync_cursor = models.JSONField(default=dict, blank=True, editable=False)
    next_sync_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_sync_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_sync_error = models.TextField(blank=True, editable=False)
    # delivery statistics
    deliveries = models.PositiveIntegerField(default=0, editable=False)
    events_stored = models.PositiveIntegerField(default=0, editable=False)
    duplicates = models.PositiveIntegerField(default=0, editable=False)
    refused = models.PositiveIntegerField(default=0, editable=False)
    last_delivery_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(editable=False)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["next_sync_at"], name="connector_next_sync")]

    def __str__(self):
        return self.name


class Delivery(models.Model):
    """One call to a hook (or one page of a pull sync, or a replay) and what became of it."""

    connector = models.ForeignKey(Connector, models.CASCADE, related_name="delivery_log")
    channel = models.CharField(max_length=16, choices=DeliveryChannel.choices)
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=DeliveryOutcome.choices)
    key = models.CharField(max_length=200, blank=True,
                           help_text="The desk's own delivery id (e.g. Jira's webhook id).")
    desk_event = models.CharField(max_length=100, blank=True)
    events = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0)
    duplicate_events = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    reason = models.TextField(blank=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["connector", "-received_at"], name="delivery_recent"),
                   models.Index(fields=["connector", "key"], name="delivery_key")]

    def __str__(self):
        return f"{self.connector} {self.received_at:%Y-%m-%d %H:%M:%S} {self.outcome}"


class DeadLetter(models.Model):
    """What a desk sent that could not be stored whole: kept to inspect and replay."""

    connector = models.ForeignKey(Connector, models.CASCADE, related_name="dead_letters")
    delivery = models.OneToOneField(Delivery, models.CASCADE, related_name="dead_letter")
    received_at = models.DateTimeField()
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField()
    reason = models.TextField()
    status = models.CharField(max_length=16, choices=DeadLetterStatus.choices,
                              default=DeadLetterStatus.OPEN)
    replayed_at = models.DateTimeField(null=True, blank=True)
    replay_result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["connector", "status"], name="dead_letter_open")]

    def __str__(self):
        return f"{self.connector} dead letter {self.pk}"
