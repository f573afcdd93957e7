"""Closures from iCalendar (RFC 5545) data: each VEVENT closes its span.

All-day events (DTSTART as a date) close whole local days and come back as dates; timed
events come back as (start, end) UTC datetimes. Floating times (no zone) are read in the
calendar's zone. Cancelled events are skipped; recurring events (RRULE, RDATE) are refused,
since expanding them is not supported.
"""

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar


def read_closures(data, tz: ZoneInfo) -> tuple[set[date], list[tuple[datetime, datetime]]]:
    """(closed dates, closed UTC spans) from iCalendar bytes, text, a Path or a file object."""
    try:
        calendar = icalendar.Calendar.from_ical(_text(data))
    except ValueError as exc:
        raise ValueError(f"malformed iCalendar data: {exc}") from None
    days, spans = set(), []
    for event in calendar.walk("VEVENT"):
        name = str(event.get("SUMMARY") or event.get("UID") or "(unnamed)")
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if "RRULE" in event or "RDATE" in event:
            raise ValueError(f"event {name!r}: recurring events (RRULE/RDATE) are not supported")
        if "DTSTART" not in event:
            raise ValueError(f"event {name!r}: no DTSTART")
        start = event.decoded("DTSTART")
        if "DTEND" in event:
            end = event.decoded("DTEND")
        elif "DURATION" in event:
            end = start + event.decoded("DURATION")
        else:
            end = start + timedelta(days=1) if not isinstance(start, datetime) else start
        if isinstance(start, datetime) != isinstance(end, datetime):
            raise ValueError(f"event {name!r}: DTSTART {start!r} and end {end!r} differ in kind")
        timed = isinstance(start, datetime)
        if timed:
            start, end = _utc(start, tz), _utc(end, tz)
        if end < start:
            raise ValueError(f"event {name!r}: ends ({end}) before it starts ({start})")
        if timed and end > start:
            spans.append((start, end))
        elif not timed:
            days.update(start + timedelta(days=k) for k in range((end - start).days))
    return days, spans


def _text(data):
    if hasattr(data, "read"):
        data = data.read()
    # Only an explicit path object is opened: a string is always iCalendar text, so text that
    # came from a user can never make the engine read a file of the server's.
    if isinstance(data, os.PathLike):
        try:
            with open(data, "rb") as f:
                return f.read()
        except OSError as exc:
            raise ValueError(f"cannot read iCalendar file {str(data)!r}: {exc}") from None
    if not isinstance(data, (bytes, str)):
        raise ValueError(f"expected iCalendar bytes, text or a path, got {data!r}")
    # Some icalendar releases open a one-line string naming a file as that file; calendar
    # text always has several lines, so one line is refused here, never passed on.
    if not data.strip().splitlines()[1:]:
        shown = data.decode(errors="replace") if isinstance(data, bytes) else data
        raise ValueError(f"malformed iCalendar data: one line is not a calendar: {shown[:80]!r}")
    return data


def _utc(value: datetime, tz: ZoneInfo) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=tz)  # floating time: the calendar's own wall clock
    return value.astimezone(UTC)
