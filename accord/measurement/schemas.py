from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from accord.clock.events import KINDS
from accord.lib.schemas import Id, In, Number

from . import queries


class EventIn(In):
    """One event in the normalized ticket event format (documentation of POST /events: the
    endpoint validates each item on its own and reports per item)."""

    source: str | None = Field(None, max_length=64, description="Default: 'api'.")
    event_id: str | None = Field(
        None, max_length=128,
        description="Unique per source; derived from the content when left out.",
    )
    ticket_id: str = Field(max_length=128)
    timestamp: str = Field(description="ISO 8601 with an offset, e.g. 2025-03-07T09:30:00+01:00")
    kind: Literal[KINDS]  # type: ignore[valid-type]
    status: str | None = None
    priority: str | None = None
    impact: str | None = None
    urgency: str | None = None
    type: str | None = None
    service: str | None = Field(None, description="A service name from the catalogue.")
    customer: str | None = None
    team: str | None = None
    supplier: str | None = None
    public: bool | None = None
    payload: dict | None = Field(None, description=(
        "Free fields. At most ACCORD_MAX_PAYLOAD_BYTES (default 65,536) once encoded as "
        "JSON, no text in it longer than ACCORD_MAX_TEXT_LENGTH (default 16,384) characters; "
        "a larger item is rejected naming payload (or payload.<key>)."))


class ErrorOut(Schema):
    field: str | None
    msg: str


class IngestItemOut(Schema):
    index: int
    status: Literal["stored", "duplicate", "conflict", "rejected"]
    event_id: str | None
    errors: list[ErrorOut]


class IngestOut(Schema):
    stored: int
    duplicates: int
    rejected: int
    conflicts: int = Field(description="Items whose (source, event_id) is stored with other "
                           "content: the stored event is kept, each differing field is named.")
    results: list[IngestItemOut]


class TicketOut(Schema):
    id: int
    source: str
    ticket_id: str
    status: str
    priority: str
    impact: str
    urgency: str
    type: str
    service: str | None
    customer: str | None
    team: str | None
    supplier: str | None
    stage: str
    opened_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    last_event_at: datetime | None
    event_count: int
    payload: dict

    # Portal users see the ticket as queries.PortalView scopes it (one place for API and pages).
    @staticmethod
    def resolve_service(obj):
        return obj.service.name if obj.service_id else None

    @staticmethod
    def resolve_customer(obj, context):
        seen = _seen(obj, context)
        return seen.customer.name if seen.customer is not None else None

    @staticmethod
    def resolve_team(obj, context):
        seen = _seen(obj, context)
        return seen.team.name if seen.team is not None else None

    @staticmethod
    def resolve_supplier(obj, context):
        seen = _seen(obj, context)
        return seen.supplier.name if seen.supplier is not None else None

    @staticmethod
    def resolve_payload(obj, context):
        return _seen(obj, context).payload


class TicketEventOut(Schema):
    id: int
    source: str
    event_id: str
    timestamp: datetime
    kind: str
    status: str | None
    priority: str | None
    impact: str | None
    urgency: str | None
    type: str | None
    service: str | None
    customer: str | None
    team: str | None
    supplier: str | None
    public: bool | None
    payload: dict
    received_at: datetime


class TicketDetail(TicketOut):
    events: list[TicketEventOut]

    @staticmethod
    def resolve_events(obj, context):
        """In canonical order: the order the ticket's state was folded in; for a portal user
        only the events and fields they may see."""
        request = context["request"]
        return queries.events_as_seen_by(request.user, obj, request_portal_view(request))


def request_portal_view(request):
    if not hasattr(request, "_accord_portal_view"):
        request._accord_portal_view = queries.portal_view(request.user)
    return request._accord_portal_view


def _seen(ticket, context):
    request = context["request"]
    return queries.ticket_as_seen_by(request.user, ticket, request_portal_view(request))


class OutageIn(In):
    service: Id | None = Field(None, description="Service id; give this or component.")
    component: Id | None = Field(None, description="Component id; give this or service.")
    start: datetime
    end: datetime | None = Field(None, description="Empty while the outage goes on.")
    impact: Number = Field(1.0, description="1 = down, a fraction = degraded.")
    planned: bool = False
    description: str = ""
    source: str = ""
    external_id: str = ""


class OutagePatch(In):
    service: Id | None = None
    component: Id | None = None
    start: datetime | None = None
    end: datetime | None = None
    impact: Number | None = None
    planned: bool | None = None
    description: str | None = None
    source: str | None = None
    external_id: str | None = None


class OutageOut(Schema):
    id: int
    service: int | None = Field(None, alias="service_id")
    service_name: str | None
    component: int | None = Field(None, alias="component_id")
    component_name: str | None
    start: datetime
    end: datetime | None
    impact: float
    planned: bool
    description: str
    source: str
    external_id: str

    @staticmethod
    def resolve_service_name(obj):
        return obj.service.name if obj.service_id else None

    @staticmethod
    def resolve_component_name(obj):
        return obj.component.name if obj.component_id else None


class MaintenanceIn(In):
    service: Id
    start: datetime
    end: datetime
    description: str = ""
    source: str = ""
    external_id: str = ""


class MaintenancePatch(In):
    service: Id | None = None
    start: datetime | None = None
    end: datetime | None = None
    description: str | None = None
    source: str | None = None
    external_id: str | None = None


class MaintenanceOut(Schema):
    id: int
    service: int = Field(alias="service_id")
    service_name: str
    start: datetime
    end: datetime
    description: str
    source: str
    external_id: str

    @staticmethod
    def resolve_service_name(obj):
        return obj.service.name
