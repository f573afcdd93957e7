"""REST endpoints for service level requirements and priority matrices."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from accord.accounts.auth import require
from accord.lib.errors import InvalidInput

from . import queries, services, slrs
from .api_common import resolve_ids
from .schemas import (
    ConvertIn,
    EvaluateIn,
    PriorityMatrixIn,
    PriorityMatrixOut,
    SlrIn,
    SlrOut,
    SlrPatch,
    VersionOut,
)

router = Router(tags=["service level requirements"])


def _slr(request, slr_id: int):
    require(request, "view")
    return get_object_or_404(
        queries.slrs_visible_to(request.user).select_related("version", "evaluated_by"),
        pk=slr_id,
    )


@router.get("/slrs", response=list[SlrOut])
@paginate
def list_slrs(request, status: str | None = None, customer: int | None = None,
              service: int | None = None):
    require(request, "view")
    found = queries.slrs_visible_to(request.user).select_related("version", "evaluated_by")
    if status:
        found = found.filter(status=status)
    if customer is not None:
        found = found.filter(customer_id=customer)
    if service is not None:
        found = found.filter(service_id=service)
    return found


@router.post("/slrs", response={201: SlrOut})
def create_slr(request, payload: SlrIn):
    by = require(request, "change_agreement")
    values = resolve_ids(payload.dict())
    return Status(201, slrs.create_slr(by=by, now=timezone.now(), **values))


@router.get("/slrs/{slr_id}", response=SlrOut)
def get_slr(request, slr_id: int):
    return _slr(request, slr_id)


@router.patch("/slrs/{slr_id}", response=SlrOut)
def update_slr(request, slr_id: int, payload: SlrPatch):
    slr = _slr(request, slr_id)
    by = require(request, "change_agreement")
    changes = resolve_ids(payload.dict(exclude_unset=True))
    return slrs.update_slr(slr, by=by, now=timezone.now(), **changes)


@router.delete("/slrs/{slr_id}", response={204: None})
def delete_slr(request, slr_id: int):
    slr = _slr(request, slr_id)
    slrs.delete_slr(slr, by=require(request, "change_agreement"))
    return Status(204, None)


@router.post("/slrs/{slr_id}/evaluate", response=SlrOut)
def evaluate_slr(request, slr_id: int, payload: EvaluateIn):
    slr = _slr(request, slr_id)
    by = require(request, "change_agreement")
    return slrs.evaluate_slr(slr, by=by, now=timezone.now(), **payload.dict())


@router.post("/slrs/{slr_id}/convert", response={201: VersionOut})
def convert_slr(request, slr_id: int, payload: ConvertIn):
    """Turn an accepted SLR into draft targets (of a new SLA unless ``agreement`` is given)."""
    slr = _slr(request, slr_id)
    by = require(request, "change_agreement")
    values = resolve_ids(payload.dict())
    if values["agreement"] is not None:
        values["agreement"] = get_object_or_404(
            queries.visible_to(request.user), pk=values["agreement"].pk
        )
    return Status(201, slrs.convert_to_draft(slr, by=by, now=timezone.now(), **values))


def _matrix_out(agreement):
    source, cells = queries.priority_matrix(agreement)
    return {"agreement": agreement.pk if agreement else None, "source": source, "cells": cells}


@router.get("/priority-matrix", response=PriorityMatrixOut)
def get_priority_matrix(request, agreement: int | None = None):
    """An agreement's matrix (falling back to the global one), or the global matrix."""
    require(request, "view")
    return _matrix_out(_matrix_agreement(request, agreement))


def _matrix_agreement(request, pk):
    """The agreement named by id in a query or body; an unknown one is bad input (422)."""
    if pk is None:
        return None
    found = queries.visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise InvalidInput(f"no agreement {pk}", field="agreement")
    return found


@router.put("/priority-matrix", response=PriorityMatrixOut)
def put_priority_matrix(request, payload: PriorityMatrixIn):
    """Replace an agreement's matrix (change_agreement) or the global one (change_policy)."""
    require(request, "view")
    found = _matrix_agreement(request, payload.agreement)
    by = require(request, "change_agreement" if found else "change_policy")
    services.set_priority_matrix(found, [c.dict() for c in payload.cells], by=by)
    return _matrix_out(found)
