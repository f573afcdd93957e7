"""Connectors API: administrators manage connectors; desks post to their hook.

``POST /hooks/{connector_id}`` takes no token: the desk's signature is the authentication.
An unsigned or badly signed call is 401 and stores nothing.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from accord.accounts.auth import require
from accord.lib.errors import InvalidInput
from accord.lib.openapi import ApiError

from . import queries, services
from .choices import DeliveryOutcome
from .models import Connector
from .samples import send_test
from .schemas import (
    ConnectorIn,
    ConnectorOut,
    ConnectorPatch,
    DeadLetterOut,
    DeliveryOut,
    HookOut,
    TestOut,
)

router = Router(tags=["connectors"])
hooks = Router(tags=["connectors"], auth=None)

MAX_HOOK_BYTES = 5 * 1024 * 1024


def _admin(request):
    return require(request, "manage_connectors")


def _connector(request, connector_id: int) -> Connector:
    _admin(request)
    return get_object_or_404(queries.connectors(), pk=connector_id)


@router.get("/connectors", response=list[ConnectorOut])
@paginate
def list_connectors(request):
    _admin(request)
    return queries.connectors()


@router.post("/connectors", response={201: ConnectorOut})
def create_connector(request, payload: ConnectorIn):
    """A connector, answered with the ``url`` to paste into the desk. ``mapping`` is laid
    over the kind's shipped defaults; ``secret`` and ``credentials`` are never shown back."""
    by = _admin(request)
    data = payload.dict(exclude_none=True)
    connector = services.create_connector(by=by, now=timezone.now(), **data)
    return Status(201, queries.connectors().get(pk=connector.pk))


@router.get("/connectors/{connector_id}", response=ConnectorOut)
def get_connector(request, connector_id: int):
    return _connector(request, connector_id)


@router.patch("/connectors/{connector_id}", response=ConnectorOut)
def update_connector(request, connector_id: int, payload: ConnectorPatch):
    connector = _connector(request, connector_id)
    fields = payload.dict(exclude_unset=True)
    for name, value in fields.items():
        if value is None and name not in ("base_url", "credentials"):
            raise InvalidInput("must not be null", field=name)
    services.update_connector(connector, by=request.user, now=timezone.now(), **fields)
    return queries.connectors().get(pk=connector.pk)


@router.delete("/connectors/{connector_id}", response={204: None})
def delete_connector(request, connector_id: int):
    connector = _connector(request, connector_id)
    services.delete_connector(connector, by=request.user)
    return Status(204, None)


@router.get("/connectors/{connector_id}/deliveries", response=list[DeliveryOut])
@paginate
def list_deliveries(request, connector_id: int, outcome: DeliveryOutcome | None = None):
    """Every call of the desk (and pull sync page, replay, test), newest first."""
    return queries.deliveries(_connector(request, connector_id), outcome)


@router.get("/connectors/{connector_id}/dead-letters", response=list[DeadLetterOut])
@paginate
def list_dead_letters(request, connector_id: int, status: str | None = "open"):
    """Payloads that could not be stored whole (``status``: open, replayed, discarded, or
    empty for all)."""
    return queries.dead_letters(_connector(request, connector_id), status or None)


def _letter(request, connector_id, letter_id):
    connector = _connector(request, connector_id)
    return get_object_or_404(queries.dead_letters(connector, None), pk=letter_id)


@router.get("/connectors/{connector_id}/dead-letters/{letter_id}", response=DeadLetterOut)
def get_dead_letter(request, connector_id: int, letter_id: int):
    return _letter(request, connector_id, letter_id)


@router.post("/connectors/{connector_id}/dead-letters/{letter_id}/replay",
             response=DeliveryOut)
def replay_dead_letter(request, connector_id: int, letter_id: int):
    """Run the payload through the connector's current mapping again."""
    letter = _letter(request, connector_id, letter_id)
    return services.replay(letter, by=request.user, now=timezone.now())


@router.post("/connectors/{connector_id}/dead-letters/{letter_id}/discard",
             response=DeadLetterOut)
def discard_dead_letter(request, connector_id: int, letter_id: int):
    return services.discard(_letter(request, connector_id, letter_id), by=request.user)


@router.post("/connectors/{connector_id}/test", response=TestOut)
def test_connector(request, connector_id: int):
    """Sign a sample payload of the desk's kind with the connector's secret and run it
    through verification and the mapping; nothing is stored but the delivery record."""
    return send_test(_connector(request, connector_id), now=timezone.now())


def _read(request) -> bytes:
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_HOOK_BYTES:
        raise InvalidInput(f"the request body is larger than {MAX_HOOK_BYTES} bytes")
    body = request.read(MAX_HOOK_BYTES + 1)
    if len(body) > MAX_HOOK_BYTES:
        raise InvalidInput(f"the request body is larger than {MAX_HOOK_BYTES} bytes")
    return body


_HOOK_BODY = {
    "required": True,
    "description": "The desk's own webhook payload, exactly as it sends it (the signature "
                   "covers the raw bytes): a Jira, Zendesk or Zammad webhook, the ServiceNow "
                   "business rule's object, the GLPI/Freshservice template filled in, or one "
                   "normalized event or a list of them (generic).",
    "content": {"application/json": {"schema": {"oneOf": [
        {"type": "object"}, {"type": "array", "items": {"type": "object"}}]}}},
}


@hooks.post("/hooks/{connector_id}",
            response={200: HookOut, 202: HookOut, 401: ApiError, 403: ApiError},
            url_name="connector_hook", openapi_extra={"requestBody": _HOOK_BODY})
def hook(request, connector_id: int):
    """Where a desk posts its native webhook payload. Signed as the desk signs (see the
    connector page); 401 and nothing stored when the signature is missing or wrong. 202 when
    the payload (or part of it) could not be stored and was kept as a dead letter: received,
    to be replayed once the mapping is fixed -- a 4xx would make desks retry in vain or trip
    their circuit breakers (Zendesk's), and stop sending what Accord could store."""
    connector = get_object_or_404(Connector, pk=connector_id)
    body = _read(request)
    try:
        delivery = services.receive(connector, request.headers, body, now=timezone.now())
    except services.BadSignature as exc:
        return Status(401, {"detail": f"signature refused: {exc}"})
    try:
        letter = delivery.dead_letter.pk
    except ObjectDoesNotExist:
        letter = None
    answer = {"delivery": delivery.pk, "outcome": delivery.outcome, "events": delivery.events,
              "stored": delivery.stored, "duplicates": delivery.duplicate_events,
              "conflicts": delivery.conflicts, "rejected": delivery.rejected,
              "reason": delivery.reason, "dead_letter": letter}
    failed = delivery.outcome in (DeliveryOutcome.REFUSED, DeliveryOutcome.PARTIAL)
    return Status(202 if failed else 200, answer)
