"""Read models of the connectors app (administrators only see them at all)."""

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse

from .choices import DeadLetterStatus
from .models import Connector, DeadLetter, Delivery


def hook_url(connector: Connector) -> str:
    """The absolute URL a desk posts to (from SITE_URL)."""
    path = reverse("api:connector_hook", kwargs={"connector_id": connector.pk})
    return settings.SITE_URL.rstrip("/") + path


def connectors():
    return Connector.objects.annotate(
        open_letters=Count("dead_letters", filter=Q(dead_letters__status=DeadLetterStatus.OPEN)))


def deliveries(connector: Connector, outcome: str | None = None):
    rows = Delivery.objects.filter(connector=connector).select_related("dead_letter")
    return rows.filter(outcome=outcome) if outcome else rows


def dead_letters(connector: Connector, status: str | None = DeadLetterStatus.OPEN):
    rows = DeadLetter.objects.filter(connector=connector).select_related("delivery")
    return rows.filter(status=status) if status else rows
