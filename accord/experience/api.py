"""Feedback API: ``POST /feedback`` (one object or a list), list, get, and complaints and
compliments entered by hand."""

import json
from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from accord.accounts.auth import require
from accord.agreements.models import Agreement
from accord.catalogue.models import Service
from accord.lib.errors import InvalidInput

from . import queries, services
from .choices import FeedbackKind

router = Router(tags=["experience"])
MAX_ITEMS = 10_000
MAX_BODY_BYTES = 64 * 1024 * 1024


def _items(request) -> list:
    # Read the stream ourselves: a large batch exceeds DATA_UPLOAD_MAX_MEMORY_SIZE, which
    # guards form posts (as /events does).
    if hasattr(request, "_body"):
        raw = request._body
    else:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY_BYTES:
            raise InvalidInput(f"the request body is larger than {MAX_BODY_BYTES} bytes")
        raw = request.read(MAX_BODY_BYTES + 1)
    try:
        body = json.loads(raw or b"null")
    except ValueError as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}") from None
    if isinstance(body, dict):
        return [body]
    if not isinstance(body, list):
        raise InvalidInput("send one feedback object or a list of them")
    if len(body) > MAX_ITEMS:
        raise InvalidInput(f"at most {MAX_ITEMS} items per request, got {len(body)}")
    return body


@router.post("/feedback", response=dict, openapi_extra={"requestBody": {
    "required": True, "content": {"application/json": {"schema": {}}}}})
def post_feedback(request):
    """Store feedback: one object or a list. Each item's result has its ``id`` and a
    ``status``: stored, duplicate (same id, same content), conflict (same id, different
    content: the stored record is kept) or rejected (``errors``: field and reason). Items
    without a source get "api"."""
    user = require(request, "import_data")
    return services.ingest_feedback(_items(request), now=timezone.now(), user=user,
                                    default_source="api")


class FeedbackFilters(Schema):
    kind: str | None = None
    service: str | None = None
    customer: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    offset: int = 0


@router.get("/feedback", response=dict)
def list_feedback(request, filters: Query[FeedbackFilters]):
    """Feedback, newest first. Portal users see only their own customer's."""
    user = require(request, "view")
    rows = queries.visible_to(user).prefetch_related("agreements")
    if filters.kind:
        if filters.kind not in FeedbackKind.values:
            raise InvalidInput(f"kind must be one of {', '.join(FeedbackKind.values)}", "kind")
        rows = rows.filter(kind=filters.kind)
    for name in ("service", "customer"):
        if getattr(filters, name):
            rows = rows.filter(**{f"{name}__name": getattr(filters, name)})
    if filters.source:
        rows = rows.filter(source=filters.source)
    for name, lookup in (("since", "at__gte"), ("until", "at__lt")):
        value = getattr(filters, name)
        if value is not None:
            if value.utcoffset() is None:
                raise InvalidInput(f"{name} needs an offset, e.g. Z", name)
            rows = rows.filter(**{lookup: value})
    if not 1 <= filters.limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000", "limit")
    if filters.offset < 0:
        raise InvalidInput("offset must not be negative", "offset")
    page = rows[filters.offset:filters.offset + filters.limit]
    return {"count": rows.count(), "items": [queries.as_json(f, user) for f in page]}


@router.get("/feedback/{source}/{feedback_id}", response=dict)
def get_feedback(request, source: str, feedback_id: str):
    """One feedback record by its source and id (404 for one you may not see)."""
    user = require(request, "view")
    found = get_object_or_404(queries.visible_to(user), source=source, feedback_id=feedback_id)
    return queries.as_json(found, user)


class ByHandIn(Schema):
    kind: str
    service: int | str
    agreement: int | str
    text: str
    timestamp: datetime | None = None
    customer: str | None = None
    respondent: str = ""


def _lookup(model, value, field):
    found = None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        found = model.objects.filter(pk=int(value)).first()
    elif model is Agreement:
        kind, _, number = str(value).partition("-")
        if number.isdigit():
            found = model.objects.filter(pk=int(number), kind=kind.lower()).first()
    else:
        found = model.objects.filter(name=value).first()
    if found is None:
        raise InvalidInput(f"no {field} {value!r}", field)
    return found


@router.post("/feedback/by-hand", response={201: dict})
def enter_by_hand(request, payload: ByHandIn):
    """A complaint or compliment entered by a service owner, linked to a service and an
    agreement (``agreement``: id or reference such as SLA-0001)."""
    user = require(request, "change_own_service")
    service = _lookup(Service, payload.service, "service")
    agreement = _lookup(Agreement, payload.agreement, "agreement")
    if payload.timestamp is not None and payload.timestamp.utcoffset() is None:
        raise InvalidInput("timestamp needs an offset, e.g. Z", "timestamp")
    customer = None
    if payload.customer:
        from accord.catalogue.models import Customer

        customer = _lookup(Customer, payload.customer, "customer")
    feedback = services.enter_by_hand(
        by=user, now=timezone.now(), kind=payload.kind, service=service, agreement=agreement,
        text=payload.text, at=payload.timestamp, customer=customer,
        respondent=payload.respondent)
    return Status(201, queries.as_json(feedback, user))
