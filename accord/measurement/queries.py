"""Read models of the measurement app, scoped to what each user may see."""

import copy
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from accord.accounts.choices import Role
from accord.lib.errors import InvalidInput

from .choices import EventKind, TicketStage
from .models import MaintenanceWindow, Outage, Ticket, TicketEvent

# Events a portal user sees: the ticket's milestones (unless marked internal) and anything
# marked public; a supplier also sees the hand-offs to their supplier.
MILESTONES = (EventKind.CREATED, EventKind.RESPONDED, EventKind.RESOLVED, EventKind.CLOSED,
              EventKind.REOPENED)
# The payload fields a portal user sees; every other field (assignees, respondents, internal
# notes of the desk's tools) stays with the provider.
PORTAL_PAYLOAD_FIELDS = ("summary", "description", "note", "resolution")


def tickets_visible_to(user):
    """Every ticket for staff roles; a portal user sees only their customer's (or, for a
    supplier, the tickets their supplier holds)."""
    tickets = Ticket.objects.select_related("service", "customer", "team", "supplier")
    if not user.is_portal:
        return tickets
    if user.role == Role.CUSTOMER:
        return tickets.filter(customer__contacts=user)
    return tickets.filter(supplier__contacts=user)


@dataclass(frozen=True)
class PortalView:
    """What a portal user may see of tickets: the names of their customers and suppliers.
    The one place both the ticket page and the API scope events and fields."""

    customers: frozenset[str]
    suppliers: frozenset[str]

    def events(self, ticket: Ticket) -> list[TicketEvent]:
        shown = Q(public=True) | Q(public__isnull=True, kind__in=MILESTONES)
        if self.suppliers:
            shown |= Q(public__isnull=True, supplier__in=self.suppliers)
        return [self.event(e) for e in _canonical(ticket.events.filter(shown))]

    def event(self, event: TicketEvent) -> TicketEvent:
        """A copy of ``event`` without what the portal user is not party to (never saved)."""
        seen = copy.copy(event)
        seen.team = None
        seen.supplier = event.supplier if event.supplier in self.suppliers else None
        seen.customer = event.customer if event.customer in self.customers else None
        seen.payload = _public_payload(event.payload)
        return seen

    def ticket(self, ticket: Ticket) -> Ticket:
        """A copy of ``ticket`` without the team, other parties and internal payload."""
        seen = copy.copy(ticket)
        seen.team = None
        if ticket.supplier_id and ticket.supplier.name not in self.suppliers:
            seen.supplier = None
        if ticket.customer_id and ticket.customer.name not in self.customers:
            seen.customer = None
        seen.payload = _public_payload(ticket.payload)
        return seen


    def attribution(self, shares: dict) -> dict:
        """A clock's time per holder, only for the holders that are the user's own party."""
        return {k: v for k, v in (shares or {}).items() if k in self.suppliers}


    def segments(self, segments: list) -> list:
        """A clock's running and paused segments, naming only the user's own party."""
        return [{**s, "holder": s["holder"] if s.get("holder") in self.suppliers else ""}
                if s.get("holder") else s for s in segments or []]


def attribution_as_seen_by(view: PortalView | None, shares: dict) -> dict:
    return shares if view is None else view.attribution(shares)


def segments_as_seen_by(view: PortalView | None, segments: list) -> list:
    return segments if view is None else view.segments(segments)


def _public_payload(payload) -> dict:
    return {k: v for k, v in (payload or {}).items() if k in PORTAL_PAYLOAD_FIELDS}


def _canonical(events) -> list:
    return sorted(events, key=lambda e: e.sort_key)


def portal_view(user) -> PortalView | None:
    """The scope of a portal user; None for staff roles (who see everything)."""
    if not user.is_portal:
        return None
    return PortalView(
        customers=frozenset(user.customers.values_list("name", flat=True)),
        suppliers=frozenset(user.suppliers.values_list("name", flat=True)),
    )


def ticket_as_seen_by(user, ticket: Ticket, view: PortalView | None = None) -> Ticket:
    """``ticket`` as ``user`` may see it (fields only; see ``events_as_seen_by``)."""
    view = view or portal_view(user)
    return ticket if view is None else view.ticket(ticket)


def events_as_seen_by(user, ticket: Ticket, view: PortalView | None = None) -> list:
    """The events of ``ticket`` ``user`` may see, in canonical order, scoped field by field."""
    view = view or portal_view(user)
    return _canonical(ticket.events.all()) if view is None else view.events(ticket)


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
