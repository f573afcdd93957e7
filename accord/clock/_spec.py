"""Parsing and validation of calendar specifications, and instant <-> microsecond conversion.

Every instant inside the calendar code is an ``int`` of microseconds since 1970-01-01 UTC.
Business durations are integer microseconds too; they become float seconds only at the
boundary, always through :func:`us_to_seconds`, so scalar and vectorized paths agree bit for bit.
"""

import math
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_S = 86400
US = 1_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Supported instants: [1900-01-01, 2200-01-01) UTC (exact to the microsecond).
MIN_US = -2208988800 * US
MAX_US = 7258118400 * US
# Business seconds beyond this cannot be represented to the microsecond by a float.
MAX_SECONDS = 2**53 / US

_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def zone(tz) -> ZoneInfo:
    """The ZoneInfo for an IANA name; ValueError for anything else."""
    if isinstance(tz, ZoneInfo):
        return tz
    if not isinstance(tz, str) or not tz:
        raise ValueError(f"time zone must be an IANA name, got {tz!r}")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {tz!r}") from None


def parse_time(value, *, end=False) -> int:
    """Seconds since midnight for "HH:MM", "HH:MM:SS" or a ``time``; "24:00" only as an end."""
    if isinstance(value, time):
        if value.tzinfo is not None or value.microsecond:
            raise ValueError(f"opening time must be a plain wall-clock time, got {value!r}")
        return value.hour * 3600 + value.minute * 60 + value.second
    m = _TIME.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        raise ValueError(f"malformed time {value!r}: expected 'HH:MM' or 'HH:MM:SS'")
    h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
    if mi > 59 or s > 59 or h > 24 or (h == 24 and (mi or s)):
        raise ValueError(f"malformed time {value!r}: out of range")
    if h == 24 and not end:
        raise ValueError(f"malformed time {value!r}: 24:00 can only end an interval")
    return h * 3600 + mi * 60 + s


def format_time(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}" if s else f"{h:02d}:{m:02d}"


def parse_intervals(value, where: str) -> tuple[tuple[int, int], ...]:
    """A day's intervals as sorted, de-duplicated (start_s, end_s) pairs.

    An end before its start is a night shift: the end lies on the next day (end_s > 86400).
    """
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ValueError(f"{where}: expected a list of (start, end) pairs, got {value!r}")
    out = set()
    for pair in value:
        if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise ValueError(f"{where}: expected a (start, end) pair, got {pair!r}")
        start, end = parse_time(pair[0]), parse_time(pair[1], end=True)
        if start == end:
            raise ValueError(f"{where}: empty interval {tuple(pair)!r} (use '00:00'-'24:00')")
        out.add((start, end if end > start else end + DAY_S))
    return tuple(sorted(out))


def format_intervals(intervals) -> list[list[str]]:
    return [[format_time(s), format_time(e if e <= DAY_S else e - DAY_S)] for s, e in intervals]


def parse_hours(hours) -> dict[str, tuple[tuple[int, int], ...]]:
    if hours is None:
        return {}
    if not isinstance(hours, dict):
        raise ValueError(f"hours must be a mapping of weekday to intervals, got {hours!r}")
    out = {}
    for day, value in hours.items():
        if day not in DAYS:
            raise ValueError(f"unknown weekday {day!r}: use one of {', '.join(DAYS)}")
        out[day] = parse_intervals(value, f"hours[{day!r}]")
    return out


def parse_date(value, where: str) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"{where}: expected a date, got the datetime {value!r}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{where}: expected a date or 'YYYY-MM-DD', got {value!r}")


def parse_instant(value, where: str) -> datetime:
    """An aware datetime (or an ISO 8601 string with an offset)."""
    given = value
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{where}: malformed instant {given!r}") from None
    if not isinstance(value, datetime):
        raise ValueError(f"{where}: expected an aware datetime, got {given!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        shown = given if isinstance(given, str) else value.isoformat()
        raise ValueError(f"{where}: naive datetime {shown} (give it a time zone)")
    return value


def to_us(value, where: str = "instant") -> int:
    """Microseconds since the epoch of an aware datetime; ValueError if naive or out of range."""
    us = (parse_instant(value, where) - EPOCH) // timedelta(microseconds=1)
    if not MIN_US <= us < MAX_US:
        raise ValueError(f"{where}: {value!r} is outside the supported years 1900-2199")
    return us


_ONE_US = timedelta(microseconds=1)


def from_us(us: int) -> datetime:
    return EPOCH + us * _ONE_US  # twice as fast as timedelta(microseconds=us)


def us_to_seconds(us):
    """Business microseconds to float seconds (the one conversion both paths use)."""
    return us / 1e6


def seconds_to_us(seconds) -> int:
    """The least whole number of microseconds u with ``us_to_seconds(u) >= seconds``."""
    if isinstance(seconds, timedelta):
        seconds = seconds.total_seconds()
    try:
        s = float(seconds)
    except (TypeError, ValueError):
        raise ValueError(f"duration must be a number of seconds, got {seconds!r}") from None
    if not math.isfinite(s) or s < 0 or s > MAX_SECONDS:
        raise ValueError(f"duration must be between 0 and {MAX_SECONDS:.0f} s, got {seconds!r}")
    u = round(s * 1e6)
    while u > 0 and (u - 1) / 1e6 >= s:
        u -= 1
    while u / 1e6 < s:
        u += 1
    return u
