"""Availability targets evaluated per period and stored as ``AvailabilityPeriod`` rows.

A period is a calendar month in UTC. A service's downtime is its own recorded outages plus
the outages of the components it depends on, propagated through the dependency graph
(``catalogue.dependencies.dependency_tree`` + ``accord.clock.measured_outages``: redundancy
groups are down only when too few members are up). Agreed service time is the service's
calendar (24x7 UTC without one) minus its maintenance windows. An outage still going on
counts up to the end of the period until its end is recorded, so a stored period never
depends on when it was computed.

Outage and maintenance writes call ``outages_changed`` in their transaction, which
re-evaluates the months they touch for every service they reach.
"""

from datetime import UTC, datetime

from accord.agreements.choices import Metric
from accord.agreements.inheritance import effective_targets
from accord.agreements.models import Agreement
from accord.agreements.queries import LIVE
from accord.catalogue.calendars import business_calendar
from accord.catalogue.dependencies import component_key, dependency_tree, service_key
from accord.catalogue.models import Service
from accord.clock import BusinessCalendar, measured_outages
from accord.clock import Outage as Down
from accord.clock import availability as measure_availability
from accord.clock.events import aware_utc

from .clock_models import AvailabilityPeriod
from .models import MaintenanceWindow, Outage


def month_bounds(period: str | datetime) -> tuple[datetime, datetime]:
    """[start, end) of the UTC month "2025-03" (or of the month containing an instant)."""
    if isinstance(period, str):
        start = datetime.strptime(period.strip(), "%Y-%m").replace(tzinfo=UTC)
    else:
        at = aware_utc(period, "period")
        start = datetime(at.year, at.month, 1, tzinfo=UTC)
    end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def months_between(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The UTC months overlapping [start, end]."""
    months, (lo, hi) = [], month_bounds(start)
    while lo <= end:
        months.append((lo, hi))
        if hi > end:
            break
        lo, hi = month_bounds(hi)
    return months


def availability_targets(at: datetime) -> list[tuple]:
    """(target, agreement, service) of every availability target in force at ``at``."""
    found = []
    agreements = Agreement.objects.filter(status__in=LIVE, versions__frozen_at__isnull=False
                                          ).distinct().prefetch_related("versions", "services")
    for agreement in agreements:
        for effective in effective_targets(agreement, at):
            target = effective.target
            if target.metric != Metric.AVAILABILITY or target.percentage is None:
                continue
            services = [target.service] if target.service_id else list(agreement.services.all())
            found.extend((target, agreement, service) for service in services)
    return found


def _calendar(service: Service) -> BusinessCalendar:
    if service.calendar_id:
        return business_calendar(service.calendar)
    return BusinessCalendar.always()


def _downs(rows, end: datetime, component=None) -> list[Down]:
    return [Down(start=o.start, end=o.end or end, impact=o.impact, planned=o.planned,
                 component=component, id=o.pk) for o in rows if (o.end or end) > o.start]


def service_outages(service: Service, start: datetime, end: datetime) -> list[Down]:
    """The service's own outages and those propagated from its dependencies, in [start, end)."""
    overlapping = Outage.objects.filter(start__lt=end).exclude(end__lte=start)
    own = _downs(overlapping.filter(service=service), end)
    tree = dependency_tree(service)
    leaves = tree.components()
    by_key = {}
    components = [int(k.split(":")[1]) for k in leaves if k.startswith("component:")]
    services = [int(k.split(":")[1]) for k in leaves if k.startswith("service:")]
    for o in overlapping.filter(component_id__in=components):
        key = component_key(o.component_id)
        by_key.setdefault(key, []).extend(_downs([o], end, key))
    for o in overlapping.filter(service_id__in=[pk for pk in services if pk != service.pk]):
        key = service_key(o.service_id)
        by_key.setdefault(key, []).extend(_downs([o], end, key))
    propagated = measured_outages(tree, by_key) if by_key else []
    return own + [Down(start=d.start, end=d.end, impact=d.impact, planned=d.planned)
                  for d in propagated]


def evaluate(target, agreement, service: Service, start: datetime, end: datetime
             ) -> AvailabilityPeriod:
    """Measure one availability target for one service over [start, end) and store it."""
    windows = MaintenanceWindow.objects.filter(service=service, start__lt=end, end__gt=start)
    result = measure_availability(service_outages(service, start, end), _calendar(service),
                                  start, end, [(w.start, w.end) for w in windows])
    objective = float(target.percentage)
    shares = [{"outage": s.outage.id, "start": s.outage.start.isoformat(),
               "end": s.outage.end.isoformat(), "impact": s.outage.impact,
               "downtime_seconds": s.downtime_seconds} for s in result.outages]
    period, _ = AvailabilityPeriod.objects.update_or_create(
        target=target, service=service, period_start=start,
        defaults={"agreement": agreement, "period_end": end,
                  "agreed_seconds": result.agreed_seconds,
                  "downtime_seconds": result.downtime_seconds,
                  "availability": 100.0 if result.availability is None else result.availability,
                  "objective": objective, "met": result.meets(objective), "outages": shares})
    return period


def recompute_availability(start: datetime, end: datetime, *, services=None) -> int:
    """Re-evaluate every availability target for the months overlapping [start, end]
    (only for ``services``, a set of ids, when given). Returns the periods stored."""
    count = 0
    for lo, hi in months_between(start, end):
        for target, agreement, service in availability_targets(lo):
            if services is None or service.pk in services:
                evaluate(target, agreement, service, lo, hi)
                count += 1
    return count


def affected_services(service_id=None, component_id=None) -> set[int]:
    """Services whose availability an outage of this service or component reaches."""
    key = service_key(service_id) if service_id else component_key(component_id)
    found = {service_id} if service_id else set()
    for service in Service.objects.all():
        if key in dependency_tree(service).components():
            found.add(service.pk)
    return found


def outages_changed(spans) -> int:
    """Hook for outage and maintenance writes: ``spans`` are (service_id, component_id,
    start, end or None) before and after the change."""
    count = 0
    for service_id, component_id, start, end in spans:
        services = affected_services(service_id, component_id)
        if services:
            count += recompute_availability(start, end or start, services=services)
    return count
