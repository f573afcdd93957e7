"""Read models of the catalogue: who sees what (``visible_to``) and the filtered lists."""

from django.db.models import Q, QuerySet

from accord.accounts.choices import Role
from accord.accounts.models import User

from .models import Calendar, Component, Customer, Service, Supplier, Team


def visible_to(user: User, model) -> QuerySet:
    """The rows of ``model`` that ``user`` may see.

    Staff roles (reader up to administrator) see the whole catalogue. Portal users see only
    the customers (or suppliers) whose contacts include them and those parties' calendars;
    services, components and teams reach them through their agreements, not from here.
    """
    rows = model.objects.all()
    if not user.is_active:
        return rows.none()
    if not user.is_portal:
        return rows
    if model is Customer:
        return rows.filter(contacts=user) if user.role == Role.CUSTOMER else rows.none()
    if model is Supplier:
        return rows.filter(contacts=user) if user.role == Role.SUPPLIER else rows.none()
    if model is Calendar:
        mine = Q(pk__in=visible_to(user, Customer).values("calendar")) | Q(
            pk__in=visible_to(user, Supplier).values("calendar")
        )
        return rows.filter(mine)
    return rows.none()


def _named(rows: QuerySet, q: str | None) -> QuerySet:
    return rows.filter(name__icontains=q.strip()) if q and q.strip() else rows


def services(
    user: User, *, q=None, status=None, criticality=None, owner=None, calendar=None
) -> QuerySet:
    rows = _named(visible_to(user, Service), q).select_related("owner", "calendar")
    if status:
        rows = rows.filter(status=status)
    if criticality is not None:
        rows = rows.filter(criticality=criticality)
    if owner is not None:
        rows = rows.filter(owner_id=owner)
    if calendar is not None:
        rows = rows.filter(calendar_id=calendar)
    return rows


def components(user: User, *, q=None, kind=None, supplier=None) -> QuerySet:
    rows = _named(visible_to(user, Component), q).select_related("supplier")
    if kind:
        rows = rows.filter(kind=kind)
    if supplier is not None:
        rows = rows.filter(supplier_id=supplier)
    return rows


def customers(user: User, *, q=None, contact=None) -> QuerySet:
    rows = _named(visible_to(user, Customer), q).prefetch_related("contacts")
    if contact is not None:
        rows = rows.filter(contacts=contact)
    return rows


def teams(user: User, *, q=None, member=None) -> QuerySet:
    rows = _named(visible_to(user, Team), q).prefetch_related("members")
    if member is not None:
        rows = rows.filter(members=member)
    return rows


def suppliers(user: User, *, q=None, contact=None) -> QuerySet:
    rows = _named(visible_to(user, Supplier), q).prefetch_related("contacts")
    if contact is not None:
        rows = rows.filter(contacts=contact)
    return rows


def calendars(user: User, *, q=None, tz=None) -> QuerySet:
    rows = _named(visible_to(user, Calendar), q)
    if tz:
        rows = rows.filter(tz=tz)
    return rows
