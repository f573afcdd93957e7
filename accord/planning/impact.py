"""Change impact: what an outage or planned work on a component or service would touch.

``impact(component=..., service=..., start=..., end=..., now=...)`` answers
``GET /api/v1/impact``::

    {"services": [{"id", "name", "down"}], "agreements": [{"agreement", "targets":
     [{"target", "budget_minutes_left", ...}]}], "customers": [{"id", "name"}],
     "inside_maintenance": bool}

Services: every service that depends on the node through the dependency graph (and the
service itself). ``down`` says whether losing the node alone takes it down: a member of a
redundancy group whose other members still meet ``min_up`` leaves it up (it is listed, but
its agreements are not). Agreements: the live agreements carrying availability targets for
the services that go down, each target with its budget left this period — minutes of
downtime before its objective is missed: (agreed time of the whole objective period on the
target's calendar, maintenance excluded) × (1 − objective) − downtime so far, the period in
the agreement's reporting zone. ``inside_maintenance``: a planned window [start, end] lies
inside agreed maintenance of every service it takes down (false without a window).
"""

from datetime import datetime

from accord.agreements.choices import AgreementKind
from accord.agreements.choices import Period as PeriodKind
from accord.agreements.validation import require_now
from accord.catalogue.choices import ServiceStatus
from accord.catalogue.models import Component, Dependency, Service
from accord.lib.errors import InvalidInput
from accord.measurement.availability import _live_agreements, measure, targets_of
from accord.measurement.models import MaintenanceWindow
from accord.reporting.periods import Period


class Graph:
    """The dependency rows, read once: which services need what, and in which groups."""

    def __init__(self):
        self.needs: dict[int, list[Dependency]] = {}
        for d in Dependency.objects.select_related("group").order_by("pk"):
            self.needs.setdefault(d.service_id, []).append(d)

    def dependents(self, node: tuple[str, int]) -> set[int]:
        """Services that depend on ``node`` ("service"/"component", id), transitively."""
        found: set[int] = set()
        frontier = [node]
        while frontier:
            kind, pk = frontier.pop()
            for service_id, deps in self.needs.items():
                if service_id in found:
                    continue
                if any((d.depends_on_service_id if kind == "service"
                        else d.depends_on_component_id) == pk for d in deps):
                    found.add(service_id)
                    frontier.append(("service", service_id))
        return found

    def up(self, service_id: int, down: tuple[str, int], seen=()) -> bool:
        """Whether the service stays up while ``down`` is down (everything else up)."""
        if down == ("service", service_id) or service_id in seen:
            return down != ("service", service_id)
        series, groups = [], {}
        for d in self.needs.get(service_id, []):
            if d.depends_on_service_id:
                ok = self.up(d.depends_on_service_id, down, (*seen, service_id))
            else:
                ok = down != ("component", d.depends_on_component_id)
            if d.group_id is None:
                series.append(ok)
            else:
                groups.setdefault(d.group_id, [d.group.min_up, 0])[1] += ok
        return all(series) and all(n >= need for need, n in groups.values())


def budget_minutes_left(target, agreement, service, now: datetime) -> dict:
    """Downtime minutes left before ``target`` misses its objective this period."""
    period = Period.containing(target.period or PeriodKind.MONTH, now, agreement.reporting_zone)
    start, end = period.start_utc, period.end_utc
    whole = measure(target, agreement, service, start, end)
    so_far = measure(target, agreement, service, start, min(now, end))
    allowed = whole.agreed_seconds * (100 - float(target.percentage)) / 100
    left = max(0.0, allowed - so_far.downtime_seconds)
    return {"target": target.pk, "name": str(target), "service": service.name,
            "service_id": service.pk, "objective_percent": float(target.percentage),
            "period": period.label, "budget_minutes": round(allowed / 60, 2),
            "downtime_minutes": round(so_far.downtime_seconds / 60, 2),
            "budget_minutes_left": round(left / 60, 2)}


def _node(component, service) -> tuple[tuple[str, int], str]:
    if (component is None) == (service is None):
        raise InvalidInput("give exactly one of component or service (an id)",
                           "component" if component is None else "service")
    if component is not None:
        found = Component.objects.filter(pk=component).first()
        if found is None:
            raise InvalidInput(f"no component {component}", "component")
        return ("component", found.pk), found.name
    found = Service.objects.filter(pk=service).first()
    if found is None:
        raise InvalidInput(f"no service {service}", "service")
    return ("service", found.pk), found.name


def impact(*, component: int | None = None, service: int | None = None,
           start: datetime | None = None, end: datetime | None = None, now: datetime) -> dict:
    now = require_now(now)
    if (start is None) != (end is None):
        raise InvalidInput("give both from and to, or neither", "to" if end is None else "from")
    if start is not None and end <= start:
        raise InvalidInput("to must be after from", "to")
    node, name = _node(component, service)
    graph = Graph()
    ids = graph.dependents(node) | ({node[1]} if node[0] == "service" else set())
    services = list(Service.objects.filter(pk__in=ids).exclude(status=ServiceStatus.RETIRED)
                    .order_by("name"))
    down = {s.pk for s in services if not graph.up(s.pk, node)}
    agreements, customers = [], {}
    for agreement in _live_agreements():
        if agreement.version_in_force(now) is None:
            continue
        rows = [budget_minutes_left(t, agreement, s, now)
                for t, _, s in targets_of(agreement, now) if s.pk in down]
        covers = agreement.services.filter(pk__in=down).exists()
        if not rows and not covers:
            continue
        agreements.append({"agreement": agreement.reference, "id": agreement.pk,
                           "name": agreement.name, "kind": agreement.kind, "targets": rows})
        if agreement.kind == AgreementKind.SLA and agreement.customer_id:
            customers[agreement.customer_id] = agreement.customer.name
    inside = False
    if start is not None:
        inside = all(MaintenanceWindow.objects.filter(service_id=pk, start__lte=start,
                                                      end__gte=end).exists() for pk in down)
    return {
        "node": {"kind": node[0], "id": node[1], "name": name},
        "from": start.isoformat() if start else None, "to": end.isoformat() if end else None,
        "services": [{"id": s.pk, "name": s.name, "down": s.pk in down} for s in services],
        "agreements": agreements,
        "customers": [{"id": pk, "name": n} for pk, n in sorted(customers.items(),
                                                               key=lambda kv: kv[1])],
        "inside_maintenance": inside,
    }
