"""The worker step that runs each connector's scheduled pull sync.

Registered with the escalation worker (``register_step``) by the escalation app, which sits
above connectors. One connector per unit: the one longest due is claimed by moving its
``next_sync_at`` on with a compare-and-set update (the row count must be 1), so two workers
never sync the same connector at once; a failing sync keeps its error on the connector and
is tried again at the next interval.
"""

import logging
from datetime import datetime, timedelta

from .models import Connector
from .sync.client import SyncError
from .sync.runner import PULLERS, sync_connector

log = logging.getLogger("accord.connectors")


def sync_due(now: datetime, worker_id: str) -> bool:
    due = (Connector.objects.filter(enabled=True, sync_interval_minutes__gt=0,
                                    next_sync_at__lte=now, kind__in=list(PULLERS))
           .exclude(base_url="").order_by("next_sync_at").values_list(
               "pk", "next_sync_at", "sync_interval_minutes").first())
    if due is None:
        return False
    pk, was, minutes = due
    claimed = Connector.objects.filter(pk=pk, next_sync_at=was).update(
        next_sync_at=now + timedelta(minutes=minutes))
    if claimed != 1:
        return True  # another worker took it: look again at once
    connector = Connector.objects.get(pk=pk)
    try:
        report = sync_connector(connector, now=now)
    except SyncError as exc:
        log.warning("sync of %s failed: %s", connector.name, exc)
    else:
        log.info("sync of %s: %s stored, %s duplicates", connector.name, report.stored,
                 report.duplicates)
    return True
