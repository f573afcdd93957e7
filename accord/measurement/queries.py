"""Read models of the measurement app, scoped to what each user may see."""

from datetime import datetime

from accord.accounts.choices import Role
from accord.lib.errors import InvalidInput

from .choices import TicketStage
from .models import MaintenanceWindow, Outage, Ticket


def tickets_visible_to(user):
    """Every ticket for staff roles; a portal user sees only their customer's (or, for a
    supplier, the tickets their supplier holds)."""
    tickets = Ticket.objects.select_related("service", "customer", "team", "supplier")
    if not user.is_portal:
        return tickets
    if user.role == Role.CUSTOMER:
        return tickets.filter(customer__contacts=user)
    return tickets.filter(supplier__contacts=user)


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise InvalidInput(f"{name}: naive time {value.isoformat()} (give an offset, e.g. Z)",
                           field=name)
    return value


def filter_tickets(tickets, *, source=None, ticket_id=None, status=None, priority=None,
                   stage=None, service=None, customer=None, team=None, supplier=None,
                   opened_after=None, opened_before=None):
    """Narrow ``tickets`` by exact field values; catalogue fields by name."""
    if stage is not None and stage not in TicketStage.values:
        raise InvalidInput(f"stage must be one of {', '.join(TicketStage.values)}",
                           field="stage")
    exact = {"source": source, "ticket_id": ticket_id, "status": status,
             "priority": priority, "stage": stage, "service__name": service,
             "customer__name": customer, "team__name": team, "supplier__name": supplier}
    tickets = tickets.filter(**{k: v for k, v in exact.items() if v is not None})
    if _aware(opened_after, "opened_after") is not None:
        tickets = tickets.filter(opened_at__gte=opened_after)
    if _aware(opened_before, "opened_before") is not None:
        tickets = tickets.filter(opened_at__lt=opened_before)
    return tickets


def outages_visible_to(user):
    """Outages for staff roles. Portal users see none until agreements scope them."""
    outages = Outage.objects.select_related("service", "component")
    return outages.none() if user.is_portal else outages


def maintenance_visible_to(user):
    windows = MaintenanceWindow.objects.select_related("service")
    return windows.none() if user.is_portal else windows


def overlapping(rows, *, service=None, since=None, until=None):
    """Rows (outages or windows) of ``service`` (an id) overlapping [since, until)."""
    if service is not None:
        rows = rows.filter(service_id=service)
    if _aware(since, "since") is not None:
        rows = rows.exclude(end__lte=since)
    if _aware(until, "until") is not None:
        rows = rows.filter(start__lt=until)
    return rows
