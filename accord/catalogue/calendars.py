"""Calendars: the only writer of Calendar rows, and the bridge to the clock engine.

A Calendar row is validated by building the ``accord.clock.BusinessCalendar`` it describes;
the engine's ValueError (which names the bad value) becomes InvalidInput naming the field.
Every change raises ``version`` by one and writes an audit row, so each calendar keeps an
audited history and stored clocks can tell that they need a recompute.
"""

from datetime import datetime

from django.db import transaction

from accord.accounts.choices import AuditAction
from accord.accounts.models import User
from accord.accounts.services import record_change, snapshot
from accord.clock.calendar import BusinessCalendar
from accord.lib.errors import InvalidInput

from .models import Calendar
from .services import clean_name, clean_tz, delete

FIELDS = (
    "name", "description", "tz", "hours", "always_open", "holidays", "country",
    "subdivision", "exceptions", "closures",
)

# One built calendar per row; a hit needs the same version *and* the same specification
# (a rolled-back transaction may have cached a version that was never committed).
_cache: dict[int, tuple[int, dict, BusinessCalendar]] = {}
# Calendars that are not rows (the built-in 24x7; a calendar moved into a customer's zone) by
# their definition: a few per process, so that clocks in one of them share one engine calendar.
_unsaved: dict[str, BusinessCalendar] = {}


def business_calendar(calendar: Calendar) -> BusinessCalendar:
    """The engine's calendar for a row, cached per process by (pk, version)."""
    spec = calendar.spec()
    if calendar.pk is None:  # the built-in 24x7, or a calendar moved to another zone
        key = repr(sorted(spec.items()))
        built = _unsaved.get(key)
        if built is None:
            built = _unsaved[key] = BusinessCalendar(**spec)
        return built
    hit = _cache.get(calendar.pk)
    if hit is not None and hit[0] == calendar.version and hit[1] == spec:
        return hit[2]
    built = BusinessCalendar(**spec)
    _cache[calendar.pk] = (calendar.version, spec, built)
    return built


def _check(field, build):
    try:
        return build()
    except ValueError as exc:
        raise InvalidInput(str(exc), field=field)
    except TypeError as exc:
        raise InvalidInput(f"{field}: {exc}", field=field)


def build(spec: dict) -> BusinessCalendar:
    """Build the BusinessCalendar for ``spec`` (``Calendar.spec()``); InvalidInput names the
    field that is wrong."""
    _check("tz", lambda: BusinessCalendar(spec["tz"]))
    _check("hours", lambda: BusinessCalendar("UTC", hours=spec["hours"]))
    _check("holidays", lambda: BusinessCalendar("UTC", holidays=spec["holidays"]))
    _check("country", lambda: BusinessCalendar("UTC", country=spec["country"]))
    _check("subdivision", lambda: BusinessCalendar(
        "UTC", country=spec["country"], subdivision=spec["subdivision"]))
    _check("exceptions", lambda: BusinessCalendar("UTC", exceptions=spec["exceptions"]))
    _check("closures", lambda: BusinessCalendar("UTC", closures=spec["closures"]))
    return _check("calendar", lambda: BusinessCalendar(**spec))


def _clean(data: dict, calendar: Calendar | None) -> dict:
    """Validated, normalised field values of a calendar after applying ``data``."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}", field=unknown[0])
    if calendar is None and "name" not in data:
        raise InvalidInput("name is required", field="name")
    row = Calendar() if calendar is None else Calendar(**{f: getattr(calendar, f) for f in FIELDS})
    for field, value in data.items():
        setattr(row, field, value)
    for field in ("description", "country", "subdivision"):
        value = getattr(row, field)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise InvalidInput(f"{field} must be text", field=field)
        setattr(row, field, value.strip())
    if not isinstance(row.always_open, bool):
        raise InvalidInput("always_open must be true or false", field="always_open")
    if "name" in data:
        row.name = clean_name(Calendar, row.name, calendar)
    row.tz = clean_tz(row.tz)
    built = build(row.spec()).to_dict()
    hours = _check("hours", lambda: BusinessCalendar("UTC", hours=row.hours)).to_dict()["hours"]
    if not row.always_open and not any(hours.values()):
        raise InvalidInput("hours: the calendar is never open (give hours or set always_open)",
                           field="hours")
    return {
        "name": row.name, "description": row.description, "tz": built["tz"],
        "hours": hours, "always_open": row.always_open, "holidays": built["holidays"],
        "country": built["country"] or "", "subdivision": built["subdivision"] or "",
        "exceptions": built["exceptions"], "closures": built["closures"],
    }


def validate(data: dict, calendar: Calendar | None = None) -> None:
    """Raise InvalidInput if ``data`` would be refused by create (calendar None) or update."""
    _clean(data, calendar)


@transaction.atomic
def create_calendar(*, by: User | None, **data) -> Calendar:
    calendar = Calendar(**_clean(data, None))
    calendar.save()
    record_change(by, calendar, AuditAction.CREATE)
    return calendar


def _write(calendar: Calendar, values: dict, by, action, message="") -> Calendar:
    before = snapshot(calendar)
    for field, value in values.items():
        setattr(calendar, field, value)
    if snapshot(calendar) != before:
        calendar.version += 1
        calendar.save()
        record_change(by, calendar, action, before=before, after=snapshot(calendar),
                      message=message)
    return calendar


def _locked(calendar: Calendar) -> Calendar:
    list(Calendar.objects.select_for_update().filter(pk=calendar.pk).values_list("pk"))
    calendar.refresh_from_db()
    return calendar


@transaction.atomic
def update_calendar(calendar: Calendar, *, by: User | None, **changes) -> Calendar:
    """Apply ``changes``; when anything changed, raise ``version`` and audit."""
    calendar = _locked(calendar)
    return _write(calendar, _clean(changes, calendar), by, AuditAction.UPDATE)


def delete_calendar(calendar: Calendar, *, by: User | None) -> None:
    """Delete an unused calendar (DomainError while services or parties still use it)."""
    pk = calendar.pk
    delete(calendar, by=by)
    _cache.pop(pk, None)


@transaction.atomic
def import_ical(calendar: Calendar, data, *, by: User | None, replace: bool = False) -> Calendar:
    """Close the calendar during each event of an iCalendar feed (text, bytes).

    All-day events become holidays, timed events closures. With ``replace`` the feed's
    dates replace the calendar's holidays and closures instead of adding to them.
    """
    calendar = _locked(calendar)
    if isinstance(data, bytes | str) and not data.strip():
        raise InvalidInput("ics: the iCalendar text is empty", field="ics")
    if not isinstance(data, bytes | str):
        raise InvalidInput("ics must be the text of an iCalendar file", field="ics")
    if isinstance(data, str):
        data = data.encode()  # the engine would read a str that is not iCalendar as a path
    spec = calendar.spec()
    if replace:
        spec |= {"holidays": [], "closures": []}
    try:
        imported = BusinessCalendar(**spec).with_ical(data)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"ics: {exc}", field="ics")
    result = imported.to_dict()
    added_days = len(set(result["holidays"]) - set(calendar.holidays))
    added_spans = len({tuple(c) for c in result["closures"]} - {tuple(c) for c in
                                                                 calendar.closures})
    message = f"iCalendar import: {added_days} new holiday(s), {added_spans} new closure(s)"
    if replace:
        message += ", replacing the previous ones"
    values = {"holidays": result["holidays"], "closures": result["closures"]}
    return _write(calendar, values, by, AuditAction.IMPORT, message)


def preview(calendar: Calendar, *, start: datetime, end: datetime,
            seconds: float | None = None) -> dict:
    """Business seconds in [start, end) and, given ``seconds``, when they fall due from
    ``start``: a quick check of a calendar's hours."""
    for field, value in (("start", start), ("end", end)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInput(f"{field} {value.isoformat()} has no UTC offset", field=field)
    if end < start:
        raise InvalidInput(f"end {end.isoformat()} is before start {start.isoformat()}",
                           field="end")
    if (end - start).days > 366:
        raise InvalidInput("end: preview at most 366 days", field="end")
    cal = business_calendar(calendar)
    result = {
        "calendar": calendar.pk,
        "version": calendar.version,
        "start": start,
        "end": end,
        "elapsed_seconds": _check("end", lambda: cal.elapsed(start, end)),
        "open_intervals": [[a, b] for a, b in _first(cal.open_intervals(start, end), 100)],
        "seconds": seconds,
        "due": None,
    }
    if seconds is not None:
        if not 0 <= seconds <= 366 * 86400:
            raise InvalidInput("seconds must be between 0 and 366 days", field="seconds")
        result["due"] = _check("seconds", lambda: cal.due(start, seconds))
    return result


def _first(iterable, n):
    for i, item in enumerate(iterable):
        if i == n:
            return
        yield item
