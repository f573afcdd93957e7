"""The bridge from a stored target to the clock engine's ``TargetDefinition``.

The target's scope (service, ticket type, priority) becomes the definition's ``applies``
condition on the ticket's fields; ticket events carry the service by name. The calendar is
resolved along the chain of ``calendars.py`` and built by the catalogue.
"""

from accord.catalogue.calendars import business_calendar
from accord.catalogue.models import Customer, Service
from accord.clock import TargetDefinition

from .calendars import explain_calendar
from .models import CONDITION_FIELDS, Target


def applies_condition(target: Target) -> dict:
    """The ticket-field test that selects the tickets a target is about ({} = all)."""
    tests = []
    if target.service_id:
        tests.append({"field": "service", "equals": target.service.name})
    if target.ticket_type:
        tests.append({"field": "type", "equals": target.ticket_type})
    if target.priority:
        tests.append({"field": "priority", "equals": target.priority})
    return {"all": tests} if len(tests) > 1 else (tests[0] if tests else {})


def clock_definition(target: Target, customer: Customer | None = None,
                     service: Service | None = None) -> TargetDefinition:
    """The engine's definition of a time target (response, resolution, update interval,
    fulfilment). ValueError for percentage targets, which no clock measures."""
    if not target.is_duration:
        raise ValueError(f"{target.metric} targets are not measured by clocks")
    calendar = business_calendar(explain_calendar(target, customer, service).calendar)
    rules = {name.removesuffix("_condition"): getattr(target, name) for name in CONDITION_FIELDS}
    return TargetDefinition(
        id=str(target.pk), metric=target.metric, seconds=target.duration_seconds,
        calendar=calendar, warnings=tuple(target.warning_thresholds),
        applies=applies_condition(target), reopen=target.reopen_policy, **rules,
    )
