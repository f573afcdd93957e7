"""The pure clock engine: business calendars, SLA clocks, availability.

Imports only the standard library, zoneinfo, numpy, holidays and icalendar —
never Django and never another ``accord`` module. Nothing here reads the wall clock.
"""

from .availability import AvailabilityResult, Outage, OutageShare, availability
from .availability_graph import Leaf, Redundant, Series, measured_outages, modelled_availability
from .calendar import BusinessCalendar
from .clock_types import Action, Clock, ClockState, Segment, Transition
from .clocks import compute_clocks, compute_many, compute_ticket_clocks
from .conditions import Condition
from .events import Event, Holder, canonical, replay
from .targets import TargetDefinition

__all__ = [
    "Action",
    "AvailabilityResult",
    "BusinessCalendar",
    "Clock",
    "ClockState",
    "Condition",
    "Event",
    "Holder",
    "Leaf",
    "Outage",
    "OutageShare",
    "Redundant",
    "Segment",
    "Series",
    "TargetDefinition",
    "Transition",
    "availability",
    "canonical",
    "compute_clocks",
    "compute_many",
    "compute_ticket_clocks",
    "measured_outages",
    "modelled_availability",
    "replay",
]
