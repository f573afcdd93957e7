"""The pure clock engine: business calendars, SLA clocks, availability.

Imports only the standard library, zoneinfo, numpy, holidays and icalendar —
never Django and never another ``accord`` module. Nothing here reads the wall clock.
"""
