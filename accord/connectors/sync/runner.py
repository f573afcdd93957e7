"""Run a pull sync: page by page, each page's events stored with the cursor after it in one
transaction, so a crash resumes after the last page stored and stores nothing twice."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from ..models import Connector
from . import glpi, jira, servicenow, zammad, zendesk
from .client import Client, SyncError

PULLERS = {"jira": jira.pages, "zendesk": zendesk.pages, "servicenow": servicenow.pages,
           "zammad": zammad.pages, "glpi": glpi.pages}


@dataclass
class SyncReport:
    pages: int = 0
    events: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    waited: list[float] = field(default_factory=list)
    error: str = ""


def sync_connector(connector: Connector, *, now: datetime, since: datetime | None = None,
                   client: Client | None = None, sleep=None) -> SyncReport:
    """Pull the connector's changes since its cursor (or ``since``). Raises SyncError (after
    keeping what was stored) when the desk fails; the error is also kept on the connector."""
    from .. import services  # services import desks; sync sits beside them

    puller = PULLERS.get(connector.kind)
    if puller is None:
        raise SyncError(f"pull sync is not available for {connector.get_kind_display()} "
                        f"(available: {', '.join(sorted(PULLERS))})")
    if not connector.enabled:
        raise SyncError(f"connector {connector.name!r} is disabled")
    if client is None:
        kwargs = {"sleep": sleep} if sleep else {}
        client = Client(connector.base_url, connector.credentials, kind=connector.kind,
                        **kwargs)
    report = SyncReport()
    cursor = dict(connector.sync_cursor or {})
    try:
        for events, new_cursor, label in puller(connector, client, cursor, since):
            with transaction.atomic():
                delivery = services.store_pulled(connector, events, now=now, label=label)
                Connector.objects.filter(pk=connector.pk).update(sync_cursor=new_cursor)
            cursor = new_cursor
            report.pages += 1
            report.events += delivery.events
            report.stored += delivery.stored
            report.duplicates += delivery.duplicate_events
            report.rejected += delivery.rejected
    except SyncError as exc:
        report.error = str(exc)
        raise
    finally:
        report.waited = list(client.waited)
        Connector.objects.filter(pk=connector.pk).update(last_sync_at=now,
                                                         last_sync_error=report.error)
        connector.sync_cursor = cursor
    return report
