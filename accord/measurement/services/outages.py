"""Outages and maintenance windows: validated writes, each audited."""

import hashlib
from datetime import datetime

from django.conf import settings
from django.db import transaction

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change, snapshot
from accord.catalogue.models import Component, Service
from accord.lib.errors import InvalidInput
from accord.lib.jsonsafe import text_problem

from ..availability import outages_changed
from ..choices import IngestStatus
from ..models import MaintenanceWindow, Outage

OUTAGE_FIELDS = ("service", "component", "start", "end", "impact", "planned", "description",
                 "source", "external_id")
MAINTENANCE_FIELDS = ("service", "start", "end", "description", "source", "external_id")


def _instant(value, name: str, *, required: bool) -> datetime | None:
    if value is None:
        if required:
            raise InvalidInput(f"{name} is required", field=name)
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(f"{name}: not an ISO 8601 instant: {value!r}", field=name) from None
    if not isinstance(value, datetime):
        raise InvalidInput(f"{name}: expected an instant, got {value!r}", field=name)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name}: naive time {value.isoformat()} (give an offset, e.g. Z)",
                           field=name)
    return value


def _text(data: dict, name: str, limit: int | None = None) -> str:
    """A text field; free text (no ``limit``) is bounded by ACCORD_MAX_TEXT_LENGTH."""
    value = data.get(name) or ""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text", field=name)
    limit = limit or settings.ACCORD_MAX_TEXT_LENGTH
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters", field=name)
    if reason := text_problem(value):
        raise InvalidInput(f"{name} {reason}", field=name)
    return value


def clean_outage(data: dict) -> dict:
    """Validated outage fields (service/component as model instances); InvalidInput names
    the first bad field. An outage concerns exactly one service or one component."""
    unknown = sorted(set(data) - set(OUTAGE_FIELDS))
    if unknown:
        raise InvalidInput(f"{unknown[0]}: unknown field", field=unknown[0])
    service, component = data.get("service"), data.get("component")
    if (service is None) == (component is None):
        raise InvalidInput("give exactly one of service or component", field="service")
    if service is not None and not isinstance(service, Service):
        raise InvalidInput(f"service: expected a service, got {service!r}", field="service")
    if component is not None and not isinstance(component, Component):
        raise InvalidInput(f"component: expected a component, got {component!r}",
                           field="component")
    start = _instant(data.get("start"), "start", required=True)
    end = _instant(data.get("end"), "end", required=False)
    if end is not None and end <= start:
        raise InvalidInput(f"end {end.isoformat()} must be after start {start.isoformat()}",
                           field="end")
    impact = data.get("impact", 1.0)
    if impact is None:
        impact = 1.0
    if isinstance(impact, bool) or not isinstance(impact, int | float) or not 0 <= impact <= 1:
        raise InvalidInput(f"impact must be a number from 0 to 1, got {impact!r}", field="impact")
    planned = data.get("planned") or False
    if not isinstance(planned, bool):
        raise InvalidInput(f"planned must be true or false, got {planned!r}", field="planned")
    return {"service": service, "component": component, "start": start, "end": end,
            "impact": float(impact), "planned": planned,
            "description": _text(data, "description"), "source": _text(data, "source", 64),
            "external_id": _text(data, "external_id", 128)}


def clean_maintenance(data: dict) -> dict:
    unknown = sorted(set(data) - set(MAINTENANCE_FIELDS))
    if unknown:
        raise InvalidInput(f"{unknown[0]}: unknown field", field=unknown[0])
    service = data.get("service")
    if not isinstance(service, Service):
        raise InvalidInput("service is required", field="service")
    start = _instant(data.get("start"), "start", required=True)
    end = _instant(data.get("end"), "end", required=True)
    if end <= start:
        raise InvalidInput(f"end {end.isoformat()} must be after start {start.isoformat()}",
                           field="end")
    return {"service": service, "start": start, "end": end,
            "description": _text(data, "description"), "source": _text(data, "source", 64),
            "external_id": _text(data, "external_id", 128)}


def may_plan_maintenance(user, service: Service) -> bool:
    """Service level managers plan maintenance on any service, owners on their own."""
    if user.can("change_catalogue"):
        return True
    return user.can("change_own_service") and service.owner_id == user.pk


def _span(row) -> tuple:
    """What an outage or maintenance window touches, for ``outages_changed``."""
    return (row.service_id, getattr(row, "component_id", None), row.start, row.end)


def _check_unique(model, fields: dict, exclude_pk=None) -> None:
    if not fields["external_id"]:
        return
    clash = model.objects.filter(source=fields["source"], external_id=fields["external_id"])
    if clash.exclude(pk=exclude_pk).exists():
        raise InvalidInput(f"external_id {fields['external_id']!r} already exists for source "
                           f"{fields['source']!r}", field="external_id")


@transaction.atomic
def create_outage(data: dict, *, user=None) -> Outage:
    fields = clean_outage(data)
    _check_unique(Outage, fields)
    outage = Outage.objects.create(**fields)
    record_change(user, outage, AuditAction.CREATE)
    outages_changed([_span(outage)])
    return outage


@transaction.atomic
def update_outage(outage: Outage, changes: dict, *, user=None) -> Outage:
    before = snapshot(outage)
    old_span = _span(outage)
    current = {name: getattr(outage, name) for name in OUTAGE_FIELDS}
    if "service" in changes and changes["service"] is not None:
        current["component"] = None
    if "component" in changes and changes["component"] is not None:
        current["service"] = None
    return _apply(outage, clean_outage({**current, **changes}), before, old_span, user)


def _apply(obj, fields: dict, before: dict, old_span, user):
    """Write validated ``fields`` to an outage or maintenance window, audit it, and recompute
    the availability of both its old and its new span."""
    _check_unique(type(obj), fields, exclude_pk=obj.pk)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()
    record_change(user, obj, AuditAction.UPDATE, before=before)
    outages_changed([old_span, _span(obj)])
    return obj


def _delete(obj, user) -> None:
    record_change(user, obj, AuditAction.DELETE, before=snapshot(obj))
    span = _span(obj)
    obj.delete()
    outages_changed([span])


@transaction.atomic
def delete_outage(outage: Outage, *, user=None) -> None:
    _delete(outage, user)


@transaction.atomic
def create_maintenance_window(data: dict, *, user=None) -> MaintenanceWindow:
    fields = clean_maintenance(data)
    _check_unique(MaintenanceWindow, fields)
    window = MaintenanceWindow.objects.create(**fields)
    record_change(user, window, AuditAction.CREATE)
    outages_changed([_span(window)])
    return window


@transaction.atomic
def update_maintenance_window(window: MaintenanceWindow, changes: dict, *, user=None):
    before = snapshot(window)
    old_span = _span(window)
    current = {name: getattr(window, name) for name in MAINTENANCE_FIELDS}
    return _apply(window, clean_maintenance({**current, **changes}), before, old_span, user)


@transaction.atomic
def delete_maintenance_window(window: MaintenanceWindow, *, user=None) -> None:
    _delete(window, user)


def derived_external_id(fields: dict) -> str:
    """A stable id for an imported row that has none, from what it says."""
    subject = fields.get("service") or fields.get("component")
    parts = [type(subject).__name__, getattr(subject, "name", ""), fields["start"].isoformat(),
             fields["end"].isoformat() if fields.get("end") else "",
             repr(fields.get("impact", "")), repr(fields.get("planned", "")),
             fields.get("description", "")]
    return "auto-" + hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def import_rows(kind: str, rows, *, user=None, source: str = "") -> list[dict]:
    """Store outage (``kind="outage"``) or maintenance rows, each validated on its own.

    Each row is a dict of field values (service/component already resolved to instances, or
    an ``"errors"`` list from the parser). Returns one {"index", "status", "external_id",
    "errors"} per row; a row whose (source, external_id) exists is a duplicate.
    """
    model, clean = (Outage, clean_outage) if kind == "outage" else (
        MaintenanceWindow, clean_maintenance)
    results, spans = [], []
    with transaction.atomic():
        for index, row in enumerate(rows):
            errors = row.pop("errors", None)
            if not errors:
                try:
                    fields = clean({"source": source, **row})
                except InvalidInput as exc:
                    errors = [{"field": exc.field, "msg": exc.message}]
            if errors:
                results.append({"index": index, "status": IngestStatus.REJECTED.value,
                                "external_id": row.get("external_id") or None,
                                "errors": errors})
                continue
            fields["external_id"] = fields["external_id"] or derived_external_id(fields)
            if model.objects.filter(source=fields["source"],
                                    external_id=fields["external_id"]).exists():
                status = IngestStatus.DUPLICATE
            else:
                row = model.objects.create(**fields)
                record_change(user, row, AuditAction.IMPORT)
                spans.append(_span(row))
                status = IngestStatus.STORED
            results.append({"index": index, "status": status.value,
                            "external_id": fields["external_id"], "errors": []})
        outages_changed(spans)
    return results
