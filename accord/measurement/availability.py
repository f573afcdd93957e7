"""Availability targets evaluated per period and stored as ``AvailabilityPeriod`` rows.

A period is a calendar month in the agreement's reporting time zone
(``Agreement.reporting_zone``), stored with its label ("2025-03"). A service's downtime is its
own recorded outages plus the outages of the components it depends on, propagated through the
dependency graph (``catalogue.dependencies.dependency_tree`` + ``accord.clock.measured_outages``:
redundancy groups are down only when too few members are up). Agreed service time is the
**target's** calendar (``agreements.calendars.explain_calendar``: the target's own, else the
customer's, the agreement's, the service's, else 24x7) minus the service's maintenance
windows: a 24x7 supplier target counts a Saturday outage even when the service itself keeps
office hours. With no agreed time in a period, availability and met are None (not 100 %). An
outage still going on counts up to the end of the period until its end is recorded, so a
stored period never depends on when it was computed.

Outage and maintenance writes call ``outages_changed`` in their transaction, which
re-evaluates the months they touch for every service they reach.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from accord.agreements.calendars import explain_calendar
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


def month_bounds(period: str | datetime, tz: str = "UTC") -> tuple[datetime, datetime]:
    """[start, end) of the month "2025-03" (or of the month containing an instant) in the
    zone ``tz``, as aware instants in that zone."""
    zone = ZoneInfo(tz)
    if isinstance(period, str):
        start = datetime.strptime(period.strip(), "%Y-%m").replace(tzinfo=zone)
    else:
        at = aware_utc(period, "period").astimezone(zone)
        start = datetime(at.year, at.month, 1, tzinfo=zone)
    end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=zone)
    return start, end


def months_between(start: datetime, end: datetime, tz: str = "UTC"
                   ) -> list[tuple[datetime, datetime]]:
    """The months (of zone ``tz``) overlapping [start, end]."""
    months, (lo, hi) = [], month_bounds(start, tz)
    while lo <= end:
        months.append((lo, hi))
        if hi > end:
            break
        lo, hi = month_bounds(hi, tz)
    return months


def _live_agreements():
    return (Agreement.objects.filter(status__in=LIVE, versions__frozen_at__isnull=False)
            .distinct().select_related("calendar", "customer")
            .prefetch_related("versions", "services"))


def targets_of(agreement, at: datetime) -> list[tuple]:
    """(target, agreement, service) of the agreement's availability targets in force at
    ``at`` (a target without a service applies to each of the agreement's services)."""
    found = []
    for effective in effective_targets(agreement, at):
        target = effective.target
        if target.metric != Metric.AVAILABILITY or target.percentage is None:
            continue
        services = [target.service] if target.service_id else list(agreement.services.all())
        found.extend((target, agreement, service) for service in services)
    return found


def availability_targets(at: datetime) -> list[tuple]:
    """(target, agreement, service) of every availability target in force at ``at``."""
    return [found for agreement in _live_agreements() for found in targets_of(agreement, at)]


def target_calendar(target, agreement, service: Service) -> BusinessCalendar:
    """The calendar an availability target is measured against: the target's (see
    ``explain_calendar``), not the service's."""
    resolved = explain_calendar(target, agreement.customer, service).calendar
    if resolved.always_open and resolved.tz == "UTC" and resolved.pk is None:
        return BusinessCalendar.always()
    return business_calendar(resolved)


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


def measure(target, agreement, service: Service, start: datetime, end: datetime):
    """Measure one availability target for one service over [start, end) against the
    target's calendar, writing nothing (``accord.clock`` ``AvailabilityResult``)."""
    windows = MaintenanceWindow.objects.filter(service=service, start__lt=end, end__gt=start)
    return measure_availability(service_outages(service, start, end),
                                target_calendar(target, agreement, service),
                                start, end, [(w.start, w.end) for w in windows])


def outage_shares(result) -> list[dict]:
    return [{"outage": s.outage.id, "start": s.outage.start.isoformat(),
             "end": s.outage.end.isoformat(), "impact": s.outage.impact,
             "downtime_seconds": s.downtime_seconds} for s in result.outages]


def evaluate(target, agreement, service: Service, start: datetime, end: datetime
             ) -> AvailabilityPeriod:
    """Measure one availability target for one service over the month [start, end) (local
    to the agreement's reporting zone) and store it."""
    result = measure(target, agreement, service, start, end)
    objective = float(target.percentage)
    empty = result.availability is None  # no agreed time: nothing promised, nothing met
    label = start.strftime("%Y-%m")
    # The same month stored for another zone (the reporting zone changed since): replaced.
    AvailabilityPeriod.objects.filter(target=target, service=service, period=label).exclude(
        period_start=start).delete()
    period, _ = AvailabilityPeriod.objects.update_or_create(
        target=target, service=service, period_start=start,
        defaults={"agreement": agreement, "period_end": end,
                  "period": label,
                  "agreed_seconds": result.agreed_seconds,
                  "downtime_seconds": result.downtime_seconds,
                  "availability": None if empty else result.availability,
                  "objective": objective, "met": None if empty else result.meets(objective),
                  "outages": outage_shares(result)})
    return period


def recompute_availability(start: datetime, end: datetime, *, services=None) -> int:
    """Re-evaluate every availability target for the months (in each agreement's reporting
    zone) overlapping [start, end] (only for ``services``, a set of ids, when given).
    Returns the periods stored."""
    count = 0
    for agreement in _live_agreements():
        for lo, hi in months_between(start, end, agreement.reporting_zone):
            for target, _, service in targets_of(agreement, lo):
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
