"""Measurement API: event intake, tickets, outages and maintenance windows."""

from datetime import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from accord.accounts.auth import require
from accord.catalogue.models import Component, Service
from accord.lib.body import loads
from accord.lib.errors import Forbidden, InvalidInput

from . import queries, services
from .api_clocks import router as clocks_router
from .schemas import (
    EventIn,
    IngestOut,
    MaintenanceIn,
    MaintenanceOut,
    MaintenancePatch,
    OutageIn,
    OutageOut,
    OutagePatch,
    TicketDetail,
    TicketOut,
)
from .services._bulk import gc_paused

router = Router(tags=["measurement"])
router.add_router("", clocks_router)

MAX_EVENTS = 10_000
MAX_BODY_BYTES = 64 * 1024 * 1024
API_SOURCE = "api"

_event_schema = EventIn.model_json_schema()
_EVENTS_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"oneOf": [
        _event_schema, {"type": "array", "items": _event_schema, "maxItems": MAX_EVENTS},
    ]}}},
}


def _read_events(request) -> list:
    # Read the stream ourselves: a batch of 10,000 events is larger than Django's
    # DATA_UPLOAD_MAX_MEMORY_SIZE, which guards form posts.
    if hasattr(request, "_body"):
        raw = request._body
    else:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY_BYTES:
            raise InvalidInput(f"the request body is larger than {MAX_BODY_BYTES} bytes")
        raw = request.read(MAX_BODY_BYTES + 1)
    # Values a database cannot store are left in: intake rejects the items holding them.
    body = loads(raw, strict_values=False)
    if isinstance(body, dict):
        return [body]
    if not isinstance(body, list):
        raise InvalidInput("send one event (an object) or a list of events")
    if len(body) > MAX_EVENTS:
        raise InvalidInput(f"at most {MAX_EVENTS} events per request, got {len(body)}")
    return body


@router.post("/events", response=IngestOut, openapi_extra={"requestBody": _EVENTS_BODY})
def post_events(request, create_missing: bool = False):
    """Store ticket events: one object or a list of up to 10,000. Each item is judged on its
    own: stored, duplicate (its (source, event_id) is already stored with the same content),
    conflict (already stored with other content: the stored event is kept, and the errors
    name the fields that differ) or rejected (with the field and the reason). Items without
    a source get "api". ``create_missing`` creates unknown services, customers, teams and
    suppliers (service level managers only). An event stamped more than
    ACCORD_EVENT_MAX_SKEW seconds (default 300) ahead of the server's clock is rejected on
    ``timestamp``; one less far ahead is stored and counts from its instant (the worker
    recomputes the ticket's clocks then)."""
    user = require(request, "import_data")
    if create_missing and not user.can("change_catalogue"):
        raise Forbidden(f"your role ({user.role}) may not create catalogue entries")
    with gc_paused():
        items = _read_events(request)
        result = services.ingest_events(items, now=timezone.now(), user=user,
                                        create_missing=create_missing,
                                        source_defaults={"source": API_SOURCE})
        # Already in IngestOut's shape: skip re-validating up to 10,000 results (a third of
        # the request's time at that size).
        body = result.as_json()
        # Freed here, while the collector is paused: else its first pass would walk them.
        del items, result
    return HttpResponse(body, content_type="application/json")


class TicketFilters(Schema):
    source: str | None = None
    ticket_id: str | None = None
    status: str | None = None
    priority: str | None = None
    stage: str | None = None
    service: str | None = None
    customer: str | None = None
    team: str | None = None
    supplier: str | None = None
    opened_after: datetime | None = None
    opened_before: datetime | None = None


@router.get("/tickets", response=list[TicketOut])
@paginate
def list_tickets(request, filters: Query[TicketFilters]):
    """Tickets, most recently active first. Catalogue filters take names."""
    user = require(request, "view")
    return queries.filter_tickets(queries.tickets_visible_to(user), **filters.dict())


@router.get("/tickets/{ticket_pk}", response=TicketDetail)
def get_ticket(request, ticket_pk: int):
    """One ticket with its events in canonical order."""
    user = require(request, "view")
    return get_object_or_404(queries.tickets_visible_to(user), pk=ticket_pk)


def _subject(data: dict) -> dict:
    """Replace service/component ids by the objects; unknown ids are a 422 on the field."""
    for name, model in (("service", Service), ("component", Component)):
        if data.get(name) is not None:
            obj = model.objects.filter(pk=data[name]).first()
            if obj is None:
                raise InvalidInput(f"no {name} with id {data[name]}", field=name)
            data[name] = obj
    return data


class WindowFilters(Schema):
    service: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@router.get("/outages", response=list[OutageOut])
@paginate
def list_outages(request, filters: Query[WindowFilters]):
    user = require(request, "view")
    return queries.overlapping(queries.outages_visible_to(user), **filters.dict())


@router.post("/outages", response={201: OutageOut})
def create_outage(request, payload: OutageIn):
    user = require(request, "import_data")
    return Status(201, services.create_outage(_subject(payload.dict()), user=user))


@router.get("/outages/{outage_id}", response=OutageOut)
def get_outage(request, outage_id: int):
    user = require(request, "view")
    return get_object_or_404(queries.outages_visible_to(user), pk=outage_id)


@router.patch("/outages/{outage_id}", response=OutageOut)
def update_outage(request, outage_id: int, payload: OutagePatch):
    user = require(request, "import_data")
    outage = get_object_or_404(queries.outages_visible_to(user), pk=outage_id)
    changes = _subject(payload.dict(exclude_unset=True))
    return services.update_outage(outage, changes, user=user)


@router.delete("/outages/{outage_id}", response={204: None})
def delete_outage(request, outage_id: int):
    user = require(request, "import_data")
    services.delete_outage(get_object_or_404(queries.outages_visible_to(user), pk=outage_id),
                           user=user)
    return Status(204, None)


def _may_plan(user, service) -> None:
    if not services.may_plan_maintenance(user, service):
        raise Forbidden(f"your role ({user.role}) may not plan maintenance on {service}")


@router.get("/maintenance-windows", response=list[MaintenanceOut])
@paginate
def list_maintenance(request, filters: Query[WindowFilters]):
    user = require(request, "view")
    return queries.overlapping(queries.maintenance_visible_to(user), **filters.dict())


@router.post("/maintenance-windows", response={201: MaintenanceOut})
def create_maintenance(request, payload: MaintenanceIn):
    user = require(request, "change_own_service")
    data = _subject(payload.dict())
    _may_plan(user, data["service"])
    return Status(201, services.create_maintenance_window(data, user=user))


@router.get("/maintenance-windows/{window_id}", response=MaintenanceOut)
def get_maintenance(request, window_id: int):
    user = require(request, "view")
    return get_object_or_404(queries.maintenance_visible_to(user), pk=window_id)


@router.patch("/maintenance-windows/{window_id}", response=MaintenanceOut)
def update_maintenance(request, window_id: int, payload: MaintenancePatch):
    user = require(request, "change_own_service")
    window = get_object_or_404(queries.maintenance_visible_to(user), pk=window_id)
    _may_plan(user, window.service)
    changes = _subject(payload.dict(exclude_unset=True))
    if "service" in changes:
        _may_plan(user, changes["service"])
    return services.update_maintenance_window(window, changes, user=user)


@router.delete("/maintenance-windows/{window_id}", response={204: None})
def delete_maintenance(request, window_id: int):
    user = require(request, "change_own_service")
    window = get_object_or_404(queries.maintenance_visible_to(user), pk=window_id)
    _may_plan(user, window.service)
    services.delete_maintenance_window(window, user=user)
    return Status(204, None)
