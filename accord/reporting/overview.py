"""This month's compliance of many agreements at once (the dashboard, the service page): one
aggregation per reporting zone, through the core's ``period_rows``."""

from collections import defaultdict
from datetime import datetime

from . import charts
from .compliance import period_rows
from .document import LIGHT_WORDS, light
from .periods import Period
from .queries import in_force


def with_light(row: dict, state: str) -> dict:
    return {**row, "light": state, "light_words": LIGHT_WORDS[state],
            "light_svg": charts.traffic_light(state, LIGHT_WORDS[state])}


def month_rows(agreements, now: datetime) -> tuple[Period, list, dict, dict]:
    """(this month in UTC, the agreements in force this month, {reference: target rows},
    {reference: availability rows}), each row with its traffic light; every agreement's
    month is read in its own reporting zone."""
    month = Period.containing("month", now)
    live = list(in_force(agreements, month.start_utc, month.end_utc).select_related(
        "calendar", "customer", "team", "supplier"))
    by_zone = defaultdict(list)
    for agreement in live:
        by_zone[agreement.reporting_zone].append(agreement)
    targets_of, availability_of = defaultdict(list), defaultdict(list)
    for zone, group in by_zone.items():
        targets, availability, _ = period_rows(group, month.in_zone(zone), now)
        for row in targets:
            targets_of[row["agreement"]].append(with_light(row, light(row)))
        for row in availability:
            met = row.get("met")
            state = "no_data" if met is None else ("met" if met else "missed")
            availability_of[row["agreement"]].append(with_light(row, state))
    return month, live, targets_of, availability_of
