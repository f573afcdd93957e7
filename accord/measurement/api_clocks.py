"""Clock and availability API: a ticket's clocks with their timeline, clock lists,
availability periods. Mounted by ``measurement.api``."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from accord.accounts.auth import require
from accord.lib.errors import InvalidInput

from . import clock_queries, queries
from .availability import month_bounds
from .live import AsOf, as_of
from .schemas import request_portal_view

router = Router(tags=["clocks"])


class ClockOut(Schema):
    id: int
    ticket: int = Field(..., alias="ticket_id")
    ticket_ref: str = Field(..., alias="ticket.ticket_id")
    target: int = Field(..., alias="target_id")
    agreement: int = Field(..., alias="agreement_id")
    agreement_ref: str = Field(..., alias="agreement.reference")
    version: int = Field(..., alias="version_id")
    kind: str
    metric: str
    holder: str
    cycle: int
    state: str
    started_at: datetime
    stopped_at: datetime | None
    elapsed_seconds: float
    paused_seconds: float
    target_seconds: float
    due_at: datetime | None
    breached_at: datetime | None
    percent: float
    warnings: dict
    next_event_at: datetime | None
    attribution: dict
    computed_at: datetime
    as_of: datetime = Field(..., description="The instant these figures hold at: the "
                            "request's, for an open clock brought up to it on read.")

    @staticmethod
    def resolve_as_of(obj):
        """Set by ``live.as_of``; a clock read without it holds as of its last write."""
        return getattr(obj, "as_of", obj.computed_at)

    @staticmethod
    def resolve_attribution(obj, context):
        request = context["request"]
        return queries.attribution_as_seen_by(request_portal_view(request), obj.attribution or {})


class ClockTimeline(ClockOut):
    segments: list
    transitions: list
    explain: list[str]

    @staticmethod
    def resolve_segments(obj, context):
        return queries.segments_as_seen_by(request_portal_view(context["request"]), obj.segments)

    @staticmethod
    def resolve_explain(obj):
        return clock_queries.explain(obj)


class ClockFilters(Schema):
    state: str | None = None
    breached: bool | None = None
    at_risk: bool | None = None
    threshold: float | None = None
    agreement: int | None = None
    service: str | None = None
    customer: str | None = None
    team: str | None = None
    kind: str | None = None
    started_from: datetime | None = Field(None, alias="from")
    started_to: datetime | None = Field(None, alias="to")


@router.get("/tickets/{ticket_pk}/clocks", response=list[ClockTimeline])
def ticket_clocks(request, ticket_pk: int):
    """Every clock of a ticket with its timeline: running and paused segments,
    transitions, and one explanation line per transition."""
    user = require(request, "view")
    ticket = get_object_or_404(queries.tickets_visible_to(user), pk=ticket_pk)
    return as_of(clock_queries.clocks_visible_to(user).filter(ticket=ticket)
                 .order_by("kind", "target_id", "cycle"), timezone.now())


@router.get("/clocks", response=list[ClockOut])
@paginate
def list_clocks(request, filters: Query[ClockFilters]):
    """Stored clocks, newest first, open ones brought up to the request's instant (``as_of``).
    Filters read the stored rows: ``at_risk``: running at or above ``threshold`` percent
    (default 75); ``from``/``to`` bound the start instant."""
    user = require(request, "view")
    f = filters.dict()
    started_after, started_before = f.pop("started_from"), f.pop("started_to")
    return AsOf(clock_queries.filter_clocks(clock_queries.clocks_visible_to(user), **f,
                                            started_after=started_after,
                                            started_before=started_before), timezone.now())


class AvailabilityOut(Schema):
    id: int
    service: int = Field(..., alias="service_id")
    service_name: str = Field(..., alias="service.name")
    target: int = Field(..., alias="target_id")
    agreement: int = Field(..., alias="agreement_id")
    period: str
    period_start: datetime
    period_end: datetime
    agreed_seconds: float
    downtime_seconds: float
    availability: float | None
    objective: float
    met: bool | None
    outages: list
    computed_at: datetime


@router.get("/availability", response=list[AvailabilityOut])
@paginate
def list_availability(request, service: int | None = None, period: str | None = None,
                      met: bool | None = None):
    """Stored availability periods; ``period`` is a month ("2025-03") in each agreement's
    reporting time zone."""
    user = require(request, "view")
    periods = clock_queries.availability_visible_to(user)
    if service is not None:
        periods = periods.filter(service_id=service)
    if period is not None:
        try:
            start, _ = month_bounds(period)
        except ValueError:
            raise InvalidInput("period must be a month like 2025-03", field="period") from None
        periods = periods.filter(period=f"{start:%Y-%m}")
    if met is not None:
        periods = periods.filter(met=met)
    return periods
