"""The pure clock engine: business calendars, SLA clocks, availability.

Imports only the standard library, zoneinfo, numpy, holidays and icalendar —
never Django and never another ``accord`` module. Nothing here reads the wall clock.
"""
from accord.clock.availability import (  # noqa: F401
    AvailabilityResult,
    Outage,
    OutageShare,
    availability,
)
from accord.clock.availability_graph import (  # noqa: F401
    Leaf,
    Redundant,
    Series,
    measured_outages,
    modelled_availability,
)
from .calendar import BusinessCalendar  # noqa: F401
