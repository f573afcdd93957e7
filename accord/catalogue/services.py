"""Domain operations of the catalogue: the only writers of services, components, customers,
teams and suppliers (calendars: ``calendars``; the dependency graph: ``dependencies``).

Each operation validates the whole input before it writes, runs in one transaction and
records an audit row with the object's before/after snapshot. Foreign keys and member lists
may be given as objects or as ids.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction

from accord.accounts.choices import AuditAction
from accord.accounts.models import User
from accord.accounts.services import record_change, snapshot
from accord.lib.errors import DomainError, InvalidInput

from .choices import STATUS_MOVES, ComponentKind, Criticality, ServiceStatus
from .models import Calendar, Component, Customer, Service, Supplier, Team

# --- field validators: each returns the clean value or raises InvalidInput naming the field --


def clean_name(model, value, instance=None, field="name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} must not be empty", field=field)
    name = " ".join(value.split())
    limit = model._meta.get_field(field).max_length
    if len(name) > limit:
        raise InvalidInput(f"{field} must be at most {limit} characters", field=field)
    taken = model.objects.filter(**{f"{field}__iexact": name})
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        what = model._meta.verbose_name
        raise InvalidInput(f"a {what} named {name!r} already exists", field=field)
    return name


def _text(value, field) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    return value.strip()


def _email(value, field) -> str:
    value = _text(value, field)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise InvalidInput(f"{field} {value!r} is not an email address", field=field)
    return value


def clean_tz(value, field="tz", blank=False) -> str:
    if blank and value in ("", None):
        return ""
    try:
        return ZoneInfo(value).key
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise InvalidInput(f"{field} {value!r} is not an IANA time zone", field=field)


def instance(model, value, field, *, null=True):
    """The ``model`` row for an object or an id; InvalidInput naming ``field`` otherwise."""
    if value is None:
        if null:
            return None
        raise InvalidInput(f"{field} is required", field=field)
    if isinstance(value, model) and value.pk is not None:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        found = model.objects.filter(pk=value).first()
        if found is not None:
            return found
    what = model._meta.verbose_name
    raise InvalidInput(f"{field}: no {what} with id {value!r}", field=field)


def _users(values, field) -> list[User]:
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise InvalidInput(f"{field} must be a list of user ids", field=field)
    return [instance(User, v, field, null=False) for v in values]


def _owner(value, field="owner"):
    user = instance(User, value, field)
    if user is not None and (not user.is_active or user.is_portal):
        raise InvalidInput(f"{field}: {user.username} cannot own a service", field=field)
    return user


def _criticality(value, field="criticality") -> int:
    if isinstance(value, bool) or value not in Criticality.values:
        raise InvalidInput(f"{field} must be 1–4, got {value!r}", field=field)
    return value


def _status(value, service, field="status") -> str:
    if value not in ServiceStatus.values:
        choices = ", ".join(ServiceStatus.values)
        raise InvalidInput(f"{field} {value!r} is not one of {choices}", field=field)
    if service is None:
        if value == ServiceStatus.RETIRED:
            raise InvalidInput(f"a new service cannot be {value}", field=field)
        return value
    if value != service.status:
        if value not in STATUS_MOVES[service.status]:
            raise InvalidInput(
                f"{field} cannot move from {service.status} to {value}", field=field
            )
        if value == ServiceStatus.RETIRED:
            needed_by = service.dependents.filter(service__status=ServiceStatus.LIVE)
            names = sorted({d.service.name for d in needed_by.select_related("service")})
            if names:
                raise InvalidInput(
                    f"{service.name} cannot retire: live services depend on it "
                    f"({', '.join(names)})",
                    field=field,
                )
    return value


def _kind(value, field="kind") -> str:
    if value not in ComponentKind.values:
        choices = ", ".join(ComponentKind.values)
        raise InvalidInput(f"{field} {value!r} is not one of {choices}", field=field)
    return value


# --- per-model cleaning: {field: value} -> (values, many-to-many) ---------------------------

_REQUIRED = {Service: ("name",), Component: ("name", "kind")}


def _clean(model, data: dict, obj=None) -> tuple[dict, dict]:
    """Validate ``data`` for a new (obj None) or existing ``obj`` of ``model``."""
    cleaners = _CLEANERS[model]
    unknown = sorted(set(data) - set(cleaners))
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}", field=unknown[0])
    if obj is None:
        for field in _REQUIRED.get(model, ("name",)):
            if field not in data:
                raise InvalidInput(f"{field} is required", field=field)
    values, m2m = {}, {}
    for field, value in data.items():
        clean = cleaners[field](value, obj)
        if model._meta.get_field(field).many_to_many:
            m2m[field] = clean
        else:
            values[field] = clean
    return values, m2m


def _calendar(value, _obj, field="calendar"):
    return instance(Calendar, value, field)


_CLEANERS = {
    Service: {
        "name": lambda v, o: clean_name(Service, v, o),
        "description": lambda v, o: _text(v, "description"),
        "owner": lambda v, o: _owner(v),
        "criticality": lambda v, o: _criticality(v),
        "status": lambda v, o: _status(v, o),
        "calendar": _calendar,
    },
    Component: {
        "name": lambda v, o: clean_name(Component, v, o),
        "kind": lambda v, o: _kind(v),
        "description": lambda v, o: _text(v, "description"),
        "supplier": lambda v, o: instance(Supplier, v, "supplier"),
    },
    Customer: {
        "name": lambda v, o: clean_name(Customer, v, o),
        "description": lambda v, o: _text(v, "description"),
        "calendar": _calendar,
        "tz": lambda v, o: clean_tz(v, blank=True),
        "contact_email": lambda v, o: _email(v, "contact_email"),
        "contacts": lambda v, o: _users(v, "contacts"),
    },
    Team: {
        "name": lambda v, o: clean_name(Team, v, o),
        "description": lambda v, o: _text(v, "description"),
        "email": lambda v, o: _email(v, "email"),
        "calendar": _calendar,
        "members": lambda v, o: _users(v, "members"),
    },
    Supplier: {
        "name": lambda v, o: clean_name(Supplier, v, o),
        "description": lambda v, o: _text(v, "description"),
        "contact_email": lambda v, o: _email(v, "contact_email"),
        "calendar": _calendar,
        "contacts": lambda v, o: _users(v, "contacts"),
    },
}


def validate(model, data: dict, obj=None) -> None:
    """Raise InvalidInput if ``data`` would be refused by create (obj None) or update."""
    _clean(model, data, obj)


# --- the generic writers -----------------------------------------------------------------


def _save(obj):
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise InvalidInput(f"a {obj._meta.verbose_name} named {obj.name!r} already exists",
                           field="name")


@transaction.atomic
def create(model, *, by: User | None, **data):
    """Create a ``model`` row from ``data`` and audit it."""
    values, m2m = _clean(model, data)
    obj = model(**values)
    _save(obj)
    for field, users in m2m.items():
        getattr(obj, field).set(users)
    record_change(by, obj, AuditAction.CREATE)
    return obj


@transaction.atomic
def update(obj, *, by: User | None, **changes):
    """Apply ``changes`` to ``obj``; audit the before/after difference (if any)."""
    list(type(obj).objects.select_for_update().filter(pk=obj.pk).values_list("pk"))  # lock
    obj.refresh_from_db()
    values, m2m = _clean(type(obj), changes, obj)
    before = snapshot(obj)
    for field, value in values.items():
        setattr(obj, field, value)
    _save(obj)
    for field, users in m2m.items():
        getattr(obj, field).set(users)
    after = snapshot(obj)
    if after != before:
        moved = before.get("status") != after.get("status")
        action = AuditAction.TRANSITION if moved else AuditAction.UPDATE
        record_change(by, obj, action, before=before, after=after)
    return obj


def check_deletable(obj) -> None:
    """Raise DomainError when the catalogue's own rules keep ``obj`` from being deleted."""
    if isinstance(obj, Service) and obj.status == ServiceStatus.LIVE:
        raise DomainError(f"{obj.name} is live: retire it before deleting it", field="status")
    if isinstance(obj, Service | Component):
        names = sorted({d.service.name for d in obj.dependents.select_related("service")})
        if names:
            raise DomainError(f"{obj.name} is still a dependency of {', '.join(names)}")


@transaction.atomic
def delete(obj, *, by: User | None) -> None:
    """Delete ``obj`` after auditing it; DomainError (nothing deleted) while it is in use."""
    check_deletable(obj)
    record_change(by, obj, AuditAction.DELETE, before=snapshot(obj))
    try:
        with transaction.atomic():
            obj.delete()
    except (models.ProtectedError, models.RestrictedError) as exc:
        users = sorted({str(o) for o in exc.args[1]})
        more = f" and {len(users) - 5} more" if len(users) > 5 else ""
        raise DomainError(f"{obj} is still used by {', '.join(users[:5])}{more}")


# --- named operations, for callers that prefer them ------------------------------------------


def create_service(*, by, **data) -> Service:
    return create(Service, by=by, **data)


def create_component(*, by, **data) -> Component:
    return create(Component, by=by, **data)


def create_customer(*, by, **data) -> Customer:
    return create(Customer, by=by, **data)


def create_team(*, by, **data) -> Team:
    return create(Team, by=by, **data)


def create_supplier(*, by, **data) -> Supplier:
    return create(Supplier, by=by, **data)
