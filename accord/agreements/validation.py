"""Checks shared by the services, the API and the admin. Each error names the field."""

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accord.clock.conditions import Condition
from accord.lib.errors import InvalidInput

from .choices import (
    DURATION_METRICS,
    CreditBasis,
    Direction,
    ExperienceMeasure,
    Metric,
    Period,
    ReopenPolicy,
)
from .models import CONDITION_FIELDS, EXPERIENCE_FIELDS, default_warnings

CURRENCY = re.compile(r"[A-Z]{3}")
FOUR_PLACES = Decimal("0.0001")
CENTS = Decimal("0.01")

# The plain (non-relational) fields of a target, as accepted by the services.
TARGET_FIELDS = (
    "name", "metric", "ticket_type", "priority", "duration_seconds", "percentage",
    "objective_percent", "period", "warning_thresholds", *CONDITION_FIELDS, "reopen_policy",
    "credit_amount", "credit_currency", "credit_percent", "credit_basis",
    *EXPERIENCE_FIELDS,
)


class NaiveDatetime(InvalidInput, ValueError):
    """A datetime without a time zone: refused everywhere."""


def aware(value, field: str) -> datetime | None:
    """``value`` if it is None or an aware datetime; otherwise an error naming ``field``."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise InvalidInput(f"{field} must be a datetime with a time zone, got {value!r}", field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetime(
            f"{field} {value.isoformat()} has no time zone: give it an offset", field
        )
    return value


def require_now(now) -> datetime:
    if now is None:
        raise ValueError("now is required (the caller passes the current instant)")
    return aware(now, "now")


def add_year(at: datetime) -> datetime:
    """The same wall-clock instant one year later (29 February → 28 February)."""
    try:
        return at.replace(year=at.year + 1)
    except ValueError:
        return at.replace(year=at.year + 1, day=28)


def text(value, field: str, max_length: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text, got {value!r}", field)
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{field} must not be empty", field)
    if len(value) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters", field)
    return value


def choice(value, field: str, choices) -> str:
    if value not in choices.values:
        raise InvalidInput(f"{field} {value!r} is not one of {', '.join(choices.values)}", field)
    return value


def decimal(value, field: str, *, low=0, high=None, low_inclusive=False) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{field} must be a number, got {value!r}", field)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{field} must be a number, got {value!r}", field) from None
    if not number.is_finite():
        raise InvalidInput(f"{field} must be a finite number, got {value!r}", field)
    too_low = number < low if low_inclusive else number <= low
    if too_low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"above {low}"
        raise InvalidInput(f"{field} must be {bound}, got {value}", field)
    return number.quantize(FOUR_PLACES) if high is not None else number


def money(value, field: str, *, zero_ok: bool = False) -> Decimal | None:
    """An amount in currency units, to the cent, below ten billion."""
    amount = decimal(value, field, low=0, low_inclusive=zero_ok)
    if amount is not None and amount >= 10**10:
        raise InvalidInput(f"{field} is too large, got {value}", field)
    return None if amount is None else amount.quantize(CENTS)


def percent(value, field: str) -> Decimal | None:
    return decimal(value, field, low=0, high=100)


def condition(value, field: str):
    """A clock condition (accord.clock.conditions); None means "not set"."""
    if value is None:
        return None
    try:
        Condition.from_json(value)
    except ValueError as exc:
        raise InvalidInput(f"{field}: {exc}", field) from None
    return value


def thresholds(value, field: str) -> list:
    if value is None:
        return default_warnings()
    if not isinstance(value, list):
        raise InvalidInput(f"{field} must be a list of percentages, got {value!r}", field)
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int | float) or not 0 < item < 100:
            raise InvalidInput(
                f"{field}[{i}] must be a percentage between 0 and 100, got {item!r}", field
            )
    if any(b <= a for a, b in zip(value, value[1:], strict=False)):
        raise InvalidInput(f"{field} must be in increasing order, got {value!r}", field)
    return value


VERSION_EDITABLE = ("text", "change_summary", "effective_from", "effective_to", "review_due")


def clean_version_fields(changes: dict, current: dict) -> dict:
    """Validated changes to a version's text and dates, checked against ``current``.

    Moving ``effective_from`` moves a defaulted review date with it (one year later), unless
    the change sets ``review_due`` itself.
    """
    for name in changes:
        if name not in VERSION_EDITABLE:
            raise InvalidInput(f"{name} is not a version field", name)
    out = {}
    if "text" in changes:
        out["text"] = text(changes["text"], "text", 200_000)
    if "change_summary" in changes:
        out["change_summary"] = text(changes["change_summary"], "change_summary", 300)
    for name in ("effective_from", "effective_to", "review_due"):
        if name in changes:
            out[name] = aware(changes[name], name)
            if out[name] is not None and out[name].year >= 9999:  # no "a year later" after it
                raise InvalidInput(f"{name} must be before the year 9999", name)
    start = out.get("effective_from", current.get("effective_from"))
    if "effective_from" in out and "review_due" not in out and start is not None:
        old_start, old_review = current.get("effective_from"), current.get("review_due")
        if old_review is None or (old_start is not None and old_review == add_year(old_start)):
            out["review_due"] = add_year(start)
    merged = {**current, **out}
    end, review = merged.get("effective_to"), merged.get("review_due")
    if start is not None and end is not None and end <= start:
        raise InvalidInput("effective_to must be after effective_from", "effective_to")
    if start is not None and review is not None and review <= start:
        raise InvalidInput("review_due must be after effective_from", "review_due")
    return out


def clean_target(values: dict, where: str = "") -> dict:
    """A validated copy of a target's plain fields (see TARGET_FIELDS).

    Time metrics need ``duration_seconds``; availability and ratio need ``percentage``;
    experience needs ``measure``, ``threshold`` and ``direction`` (or, its older form, a
    ``percentage``: that share of CSAT answers of 4 or 5). Error fields are prefixed with
    ``where`` (e.g. "requested_targets[2].").
    """
    unknown = sorted(set(values) - set(TARGET_FIELDS))
    if unknown:
        raise InvalidInput(f"{where}{unknown[0]} is not a target field", where + unknown[0])
    out = dict(values)
    f = lambda name: where + name  # noqa: E731
    out["name"] = text(values.get("name"), f("name"), 150)
    metric = out["metric"] = choice(values.get("metric"), f("metric"), Metric)
    label = Metric(metric).label
    out["ticket_type"] = text(values.get("ticket_type"), f("ticket_type"), 64)
    out["priority"] = text(values.get("priority"), f("priority"), 32)
    duration = values.get("duration_seconds")
    pct = out["percentage"] = percent(values.get("percentage"), f("percentage"))
    legacy = metric == Metric.EXPERIENCE and pct is not None and (
        not values.get("measure") or _same_as_percentage(values, pct))
    if legacy:
        # The older form of an experience target, "80 % satisfied": read as the share of
        # CSAT answers of 4 or 5 of 5, at least that percentage.
        values = {**values, "measure": ExperienceMeasure.CSAT_SATISFIED_PERCENT,
                  "threshold": pct, "direction": Direction.AT_LEAST}
    out.update(_experience(values, metric, f))
    if metric == Metric.EXPERIENCE:
        if pct is not None and not legacy:
            raise InvalidInput("experience targets have a measure and a threshold, not a "
                               "percentage", f("percentage"))
        if duration is not None:
            raise InvalidInput("experience targets have a threshold, not a duration",
                               f("duration_seconds"))
    elif metric in DURATION_METRICS:
        if isinstance(duration, bool) or not isinstance(duration, int) or duration <= 0:
            raise InvalidInput(
                f"{f('duration_seconds')} must be a positive whole number of seconds for "
                f"{label} targets, got {duration!r}", f("duration_seconds"),
            )
        if pct is not None:
            raise InvalidInput(f"{label} targets have a duration, not a percentage",
                               f("percentage"))
    else:
        if pct is None:
            raise InvalidInput(f"{label} targets need a percentage", f("percentage"))
        if duration is not None:
            raise InvalidInput(f"{label} targets have a percentage, not a duration",
                               f("duration_seconds"))
    out["duration_seconds"] = duration
    objective = out["objective_percent"] = percent(
        values.get("objective_percent"), f("objective_percent")
    )
    if objective is not None and metric not in DURATION_METRICS:
        raise InvalidInput(
            f"objective_percent applies to time targets; for {metric} the percentage is the "
            "objective", f("objective_percent"),
        )
    out["period"] = choice(values.get("period") or Period.MONTH, f("period"), Period)
    out["warning_thresholds"] = thresholds(
        values.get("warning_thresholds"), f("warning_thresholds")
    )
    for name in CONDITION_FIELDS:
        out[name] = condition(values.get(name), f(name))
    out["reopen_policy"] = choice(
        values.get("reopen_policy") or ReopenPolicy.NEW_CYCLE, f("reopen_policy"), ReopenPolicy
    )
    out.update(_credit(values, f))
    return out


def _same_as_percentage(values: dict, pct: Decimal) -> bool:
    """An older-form target read back (e.g. merged for an edit): its measure and threshold
    are the ones its percentage gave it."""
    try:
        same = Decimal(str(values.get("threshold"))) == pct
    except InvalidOperation:
        return False
    return values.get("measure") == ExperienceMeasure.CSAT_SATISFIED_PERCENT and same


def _experience(values: dict, metric: str, f) -> dict:
    """measure, threshold, direction and min_responses: required (min_responses defaults to
    1) for experience targets, refused for any other metric."""
    given = {name: values.get(name) for name in EXPERIENCE_FIELDS}
    if metric != Metric.EXPERIENCE:
        for name, value in given.items():
            if value not in (None, ""):
                raise InvalidInput(f"{name} applies to experience targets only", f(name))
        return {"measure": "", "threshold": None, "direction": "", "min_responses": None}
    if not given["measure"]:
        raise InvalidInput("experience targets need a measure: one of "
                           + ", ".join(ExperienceMeasure.values), f("measure"))
    measure = choice(given["measure"], f("measure"), ExperienceMeasure)
    threshold = given["threshold"]
    if threshold is None or threshold == "" or isinstance(threshold, bool):
        raise InvalidInput("experience targets need a threshold (a number)", f("threshold"))
    try:
        threshold = Decimal(str(threshold))
    except InvalidOperation:
        raise InvalidInput(f"threshold must be a number, got {threshold!r}",
                           f("threshold")) from None
    if not threshold.is_finite() or abs(threshold) >= 100000:
        raise InvalidInput(f"threshold must be a number below 100000, got {threshold}",
                           f("threshold"))
    threshold = threshold.quantize(FOUR_PLACES)
    if measure != ExperienceMeasure.NPS and threshold < 0:
        raise InvalidInput(f"threshold of {measure} cannot be negative (only NPS can)",
                           f("threshold"))
    if measure == ExperienceMeasure.NPS and not Decimal(-100) <= threshold <= Decimal(100):
        raise InvalidInput("an NPS threshold lies between -100 and 100", f("threshold"))
    if not given["direction"]:
        raise InvalidInput("experience targets need a direction: at_least or at_most",
                           f("direction"))
    direction = choice(given["direction"], f("direction"), Direction)
    minimum = given["min_responses"]
    if minimum is None or minimum == "":
        minimum = 1
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
        raise InvalidInput(f"min_responses must be a whole number of at least 1, got "
                           f"{minimum!r}", f("min_responses"))
    return {"measure": measure, "threshold": threshold, "direction": direction,
            "min_responses": minimum}


def _credit(values: dict, f) -> dict:
    amount = money(values.get("credit_amount"), f("credit_amount"))
    currency = text(values.get("credit_currency"), f("credit_currency"), 3).upper()
    share = percent(values.get("credit_percent"), f("credit_percent"))
    if amount is not None and share is not None:
        raise InvalidInput(
            "a service credit is an amount or a percentage of the monthly charge, not both",
            f("credit_percent"),
        )
    if amount is not None and not CURRENCY.fullmatch(currency):
        raise InvalidInput("credit_amount needs a three-letter credit_currency such as EUR",
                           f("credit_currency"))
    if amount is None and currency:
        raise InvalidInput("credit_currency is set but credit_amount is not", f("credit_amount"))
    basis = choice(values.get("credit_basis") or CreditBasis.PER_MISSED_OBJECTIVE,
                   f("credit_basis"), CreditBasis)
    return {"credit_amount": amount, "credit_currency": currency, "credit_percent": share,
            "credit_basis": basis}


def time_zone(value, field: str) -> str:
    """An IANA zone name ("Europe/London"), or "" for none."""
    name = text(value, field, 64).strip()
    if name:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"{field} must be an IANA time zone such as Europe/London, "
                               f"got {name!r}", field) from None
    return name


def credit_currency_matches(agreement, credit_currency: str, field: str) -> None:
    """A target's credit is paid in its agreement's currency."""
    if credit_currency and agreement.currency and credit_currency != agreement.currency:
        raise InvalidInput(f"{field} {credit_currency} differs from the agreement's currency "
                           f"{agreement.currency}", field)
