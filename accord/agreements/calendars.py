"""Which business calendar a target is measured in.

A target with its own calendar uses it. Otherwise the chain is: the customer's calendar; the
agreement's calendar — in the customer's time zone when the customer has one (``Customer.tz``:
the agreement's hours apply where the customer works); the service's calendar; and finally
24x7 in UTC. The customer defaults to the agreement's; the service to the target's, else the
agreement's only one. A service-based SLA has no customer: pass the ticket's customer and
service to resolve for one ticket.

The result is a catalogue ``Calendar``; the calendars derived on the way (the agreement's
hours moved to the customer's zone, 24x7) are unsaved rows.
"""

from dataclasses import dataclass

from accord.catalogue.models import Calendar, Customer, Service

from .models import Target


@dataclass(frozen=True)
class ResolvedCalendar:
    calendar: Calendar
    source: str  # target, customer, agreement_in_customer_tz, agreement, service, default


def twenty_four_seven() -> Calendar:
    return Calendar(name="24x7", tz="UTC", always_open=True)


def in_zone(calendar: Calendar, tz: str) -> Calendar:
    """An unsaved copy of ``calendar`` whose hours are read in ``tz``."""
    copy = Calendar(
        name=f"{calendar.name} ({tz})", description=calendar.description, tz=tz,
        hours=calendar.hours, always_open=calendar.always_open, holidays=calendar.holidays,
        country=calendar.country, subdivision=calendar.subdivision,
        exceptions=calendar.exceptions, closures=calendar.closures,
    )
    return copy


def explain_calendar(target: Target, customer: Customer | None = None,
                     service: Service | None = None) -> ResolvedCalendar:
    """The calendar of ``target`` and which step of the chain gave it."""
    if target.calendar_id:
        return ResolvedCalendar(target.calendar, "target")
    agreement = target.version.agreement
    customer = customer or agreement.customer
    service = service or target.service or _only_service(agreement)
    if customer is not None and customer.calendar_id:
        return ResolvedCalendar(customer.calendar, "customer")
    if agreement.calendar_id:
        calendar = agreement.calendar
        if customer is not None and customer.tz and customer.tz != calendar.tz:
            return ResolvedCalendar(in_zone(calendar, customer.tz), "agreement_in_customer_tz")
        return ResolvedCalendar(calendar, "agreement")
    if service is not None and service.calendar_id:
        return ResolvedCalendar(service.calendar, "service")
    return ResolvedCalendar(twenty_four_seven(), "default")


def _only_service(agreement) -> Service | None:
    covered = list(agreement.services.all()[:2])
    return covered[0] if len(covered) == 1 else None


def resolve_calendar(target: Target, customer: Customer | None = None,
                     service: Service | None = None) -> Calendar:
    """The catalogue Calendar ``target`` is measured in (see the module docstring)."""
    return explain_calendar(target, customer, service).calendar
