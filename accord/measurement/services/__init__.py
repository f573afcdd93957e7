"""Domain operations of the measurement app: the only code that writes its tables."""

from .ingest import IngestResult, ItemResult, ingest_events
from .outages import (
    create_maintenance_window,
    create_outage,
    delete_maintenance_window,
    delete_outage,
    import_rows,
    may_plan_maintenance,
    update_maintenance_window,
    update_outage,
)
from .sources import update_source
from .tickets import refresh_tickets, tickets_changed

__all__ = [
    "IngestResult", "ItemResult", "ingest_events", "create_maintenance_window", "create_outage",
    "delete_maintenance_window", "delete_outage", "import_rows", "may_plan_maintenance",
    "update_maintenance_window", "update_outage", "update_source", "refresh_tickets",
    "tickets_changed",
]
