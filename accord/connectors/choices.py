from django.db import models


class ConnectorKind(models.TextChoices):
    JIRA = "jira", "Jira Service Management"
    SERVICENOW = "servicenow", "ServiceNow"
    ZENDESK = "zendesk", "Zendesk"
    ZAMMAD = "zammad", "Zammad"
    GLPI = "glpi", "GLPI"
    FRESHSERVICE = "freshservice", "Freshservice"
    GENERIC = "generic", "Generic (normalized events)"


class DeliveryOutcome(models.TextChoices):
    """What became of one call to a hook, or one page of a pull sync."""

    ACCEPTED = "accepted", "Accepted"  # every event stored or a duplicate
    PARTIAL = "partial", "Partly refused"  # some events rejected by intake (dead letter kept)
    REFUSED = "refused", "Refused"  # unparseable or unmappable: nothing stored (dead letter)
    IGNORED = "ignored", "Ignored"  # a desk event Accord does not measure (nothing to store)


class DeliveryChannel(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    PULL = "pull", "Pull sync"
    REPLAY = "replay", "Replay"
    TEST = "test", "Test event"


class DeadLetterStatus(models.TextChoices):
    OPEN = "open", "Open"
    REPLAYED = "replayed", "Replayed"
    DISCARDED = "discarded", "Discarded"
