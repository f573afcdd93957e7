"""Business calendars: opening hours in an IANA zone, holidays, exceptions and closures.

``elapsed(start, end)`` is the measure of the open intervals inside [start, end);
``due(start, s)`` is the earliest instant t with ``elapsed(start, t) >= s`` (so a target
that runs out at closing time is due at closing time). Hours are local wall-clock times;
durations are real seconds, so DST is exact. At DST edges a wall time means the first
instant the zone's clock shows it or later: an ambiguous time is its first occurrence, and a
time in a spring-forward gap is the end of the gap (see ``_wall``).

Rules, in order, for one local date D: an exception for D replaces the weekday's hours
(an empty list closes D); otherwise a holiday on D (explicit, country, or an all-day
iCalendar event) closes D; otherwise D has its weekday's hours. An interval whose end is
before its start is a night shift: it belongs to the day it starts on. Closures (timed
iCalendar events, in UTC) are then cut out of whatever is open. Overlaps merge.

All arithmetic is in integer microseconds; instants must lie in 1900-2199.
"""

import bisect
from datetime import date, datetime, timedelta

import holidays as holidays_lib
import numpy as np

from . import _vector
from ._spec import (
    DAY_S,
    DAYS,
    MAX_US,
    format_intervals,
    from_us,
    parse_date,
    parse_hours,
    parse_intervals,
    seconds_to_us,
    to_us,
    us_to_seconds,
    zone,
)
from ._wall import local_date, wall_to_us

_ONE_DAY = timedelta(days=1)
_LAST_DAY = date(2200, 1, 1)  # the walk stops here; see _spec.MAX_US
_ALL_DAY = ((0, DAY_S),)
_KEYS = ("tz", "hours", "holidays", "country", "subdivision", "exceptions", "closures")


def _merge(intervals):
    """Sorted (start, end) pairs with overlapping or touching ones joined."""
    out = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return tuple(out)


class BusinessCalendar:
    """Opening hours of a service in one time zone. Immutable; caches are lazy."""

    def __init__(
        self,
        tz,
        hours=None,
        holidays=(),
        country=None,
        subdivision=None,
        exceptions=None,
        closures=(),
    ):
        self._zone = zone(tz)
        self.tz = self._zone.key
        self._hours = parse_hours(hours)
        self._week = tuple(_merge(self._hours.get(day, ())) for day in DAYS)
        self._holidays = frozenset(parse_date(d, "holidays") for d in holidays or ())
        self.country, self.subdivision = _check_country(country, subdivision)
        if not isinstance(exceptions, (dict, type(None))):
            raise ValueError(f"exceptions must map dates to intervals, got {exceptions!r}")
        self._exceptions = {}
        for key, value in (exceptions or {}).items():
            day = parse_date(key, "exceptions")
            self._exceptions[day] = parse_intervals(value, f"exceptions[{day}]")
        spans = []
        for pair in closures or ():
            if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
                raise ValueError(f"closures: expected a (start, end) pair, got {pair!r}")
            a, b = to_us(pair[0], "closure start"), to_us(pair[1], "closure end")
            if b <= a:
                raise ValueError(f"closures: end {pair[1]!r} is not after start {pair[0]!r}")
            spans.append((a, b))
        opening = [d for d, v in self._exceptions.items() if v]
        self._last_opening = min(max(opening), _LAST_DAY) if opening else date.min
        self._closures = _merge(spans)
        self._closure_starts = [a for a, _ in self._closures]
        self._always = (
            all(day == _ALL_DAY for day in self._week)
            and not (self._holidays or self.country or self._exceptions or self._closures)
        )
        self._days = {}  # date ordinal -> (UTC µs of local midnight, open (start, end) µs)
        self._country_days = {}  # year -> frozenset of public holidays
        self._table = None

    @classmethod
    def always(cls, tz="UTC"):
        """Open 24 hours a day, 7 days a week."""
        return cls(tz, hours={day: [("00:00", "24:00")] for day in DAYS})

    # --- scalar path ----------------------------------------------------------------------

    def elapsed(self, start, end) -> float:
        """Business seconds in [start, end); 0.0 if end <= start."""
        return us_to_seconds(self._elapsed_us(to_us(start, "start"), to_us(end, "end")))

    def due(self, start, seconds) -> datetime:
        """The earliest instant t (aware, UTC) with ``elapsed(start, t) >= seconds``.

        ``seconds`` (a number or a timedelta) is met to the microsecond, never early.
        """
        us = self._due_us(to_us(start, "start"), seconds_to_us(seconds))
        if us is None:
            raise ValueError(f"due({start!r}, {seconds!r}) falls beyond the year 2199")
        return from_us(us)

    def _elapsed_us(self, a: int, b: int) -> int:
        """Business µs in [a, b) (instants in µs)."""
        if b <= a:
            return 0
        if self._always:
            return b - a
        total = 0
        for x, y in self._walk(a):
            if x >= b:
                break
            total += min(y, b) - max(x, a)
        return total

    def _due_us(self, a: int, left: int) -> int | None:
        """The earliest µs t with ``_elapsed_us(a, t) >= left``; None beyond 2199."""
        if not left:
            return a
        if self._always:
            return a + left if a + left < MAX_US else None
        for x, y in self._walk(a):
            x = max(x, a)
            if y - x >= left:
                return x + left if x + left < MAX_US else None
            left -= y - x
        return None

    def _first_open_us(self, a: int, limit: int) -> int:
        """The first instant at or after ``a`` (µs) at which the calendar is open, if that is
        before ``limit``; else ``a``."""
        if self._always:
            return a
        for x, _ in self._walk(a):
            return max(x, a) if x < limit else a
        return a

    def open_intervals(self, start, end):
        """Iterate the open intervals inside [start, end) as (start, end) aware UTC datetimes.

        Intervals are clipped to [start, end); touching ones are joined.
        """
        return self._open_intervals(to_us(start, "start"), to_us(end, "end"))

    def _open_intervals(self, a, b):
        if b <= a:
            return
        if self._always:
            yield from_us(a), from_us(b)
            return
        pending = None
        for x, y in self._walk(a):
            if x >= b:
                break
            x, y = max(x, a), min(y, b)
            if pending and x == pending[1]:
                pending[1] = y
                continue
            if pending:
                yield from_us(pending[0]), from_us(pending[1])
            pending = [x, y]
        if pending:
            yield from_us(pending[0]), from_us(pending[1])

    def _walk(self, t0):
        """Open intervals (start, end) in µs, sorted, not overlapping, with end > t0.

        Touching intervals are not joined; closures are already cut out.
        """
        day = local_date(self._zone, t0) - _ONE_DAY  # a night shift may reach into t0's day
        cur = None
        last = _LAST_DAY if any(self._week) else self._last_opening
        while day <= last:
            for a, b in self._day(day)[1]:
                if cur is None:
                    cur = [a, b]
                elif a < cur[1]:
                    cur[1] = max(cur[1], b)
                else:
                    yield from self._cut(cur[0], cur[1], t0)
                    cur = [a, b]
            day += _ONE_DAY
            if cur is not None and (day > last or cur[1] <= self._day(day)[0]):
                yield from self._cut(cur[0], cur[1], t0)  # later days start after it
                cur = None

    def _cut(self, a, b, t0):
        """[a, b) minus the closures, as pieces ending after t0."""
        if b <= t0:
            return
        i = max(bisect.bisect_right(self._closure_starts, a) - 1, 0)
        for ca, cb in self._closures[i:]:
            if ca >= b:
                break
            if cb <= a:
                continue
            if ca > a and ca > t0:
                yield a, ca
            a = max(a, cb)
            if a >= b:
                return
        yield a, b

    def _day(self, day: date):
        """(UTC µs of local midnight, open intervals in UTC µs) of one local date, cached."""
        key = day.toordinal()
        hit = self._days.get(key)
        if hit is None:
            spec = self._exceptions.get(day)
            if spec is not None:
                spec = _merge(spec)
            elif not self._is_holiday(day):
                spec = self._week[day.weekday()]
            else:
                spec = ()
            midnight = wall_to_us(self._zone, day, 0)
            intervals = []
            for s, e in spec:
                a = midnight if s == 0 else wall_to_us(self._zone, day, s)
                b = wall_to_us(self._zone, day, e)
                if b > a:  # an interval inside a spring-forward gap is empty
                    intervals.append((a, b))
            hit = self._days[key] = (midnight, tuple(intervals))
        return hit

    def _is_holiday(self, day: date) -> bool:
        if day in self._holidays:
            return True
        if self.country is None:
            return False
        found = self._country_days.get(day.year)
        if found is None:
            years = [day.year - 1, day.year, day.year + 1]  # observed days may cross the year
            calendar = holidays_lib.country_holidays(
                self.country, subdiv=self.subdivision, years=years
            )
            found = frozenset(d for d in calendar if d.year == day.year)
            self._country_days[day.year] = found
        return day in found

    # --- vectorized path ------------------------------------------------------------------

    def elapsed_many(self, starts, ends) -> np.ndarray:
        """Business seconds in each [starts[i], ends[i]) as float64 (0.0 where end <= start)."""
        return _vector.elapsed_many(self, starts, ends)

    def due_many(self, starts, seconds) -> np.ndarray:
        """``due(starts[i], seconds[i])`` for each i, as datetime64[ns] in UTC."""
        return _vector.due_many(self, starts, seconds)

    def _walk_all(self, lo, hi):
        """Every open interval (clipped to start at lo) that starts before hi, for the tables."""
        for a, b in self._walk(lo):
            if a >= hi:
                break
            yield max(a, lo), b

    # --- serialisation --------------------------------------------------------------------

    def to_dict(self) -> dict:
        """A plain JSON-able dict; ``from_dict`` gives back an equal calendar."""
        return {
            "tz": self.tz,
            "hours": {d: format_intervals(self._hours[d]) for d in DAYS if self._hours.get(d)},
            "holidays": sorted(d.isoformat() for d in self._holidays),
            "country": self.country,
            "subdivision": self.subdivision,
            "exceptions": {
                d.isoformat(): format_intervals(v) for d, v in sorted(self._exceptions.items())
            },
            "closures": [
                [from_us(a).isoformat(), from_us(b).isoformat()] for a, b in self._closures
            ],
        }

    @classmethod
    def from_dict(cls, data: dict):
        if not isinstance(data, dict):
            raise ValueError(f"calendar must be a dict, got {data!r}")
        unknown = sorted(set(data) - set(_KEYS))
        if unknown:
            raise ValueError(f"unknown calendar field(s): {', '.join(map(repr, unknown))}")
        if "tz" not in data:
            raise ValueError("calendar field 'tz' is required")
        return cls(**data)

    @classmethod
    def from_ical(cls, data, *, tz, hours=None, **kwargs):
        """A calendar whose closures come from iCalendar events (see ``with_ical``)."""
        return cls(tz, hours, **kwargs).with_ical(data)

    def with_ical(self, data):
        """A copy closed during each VEVENT of an iCalendar file (bytes, text, Path or file).

        All-day events become holidays (whole local days); timed events become closures.
        Floating (zone-less) event times are read in this calendar's time zone.
        """
        from .ical import read_closures

        days, spans = read_closures(data, self._zone)
        d = self.to_dict()
        d["holidays"] = sorted(set(d["holidays"]) | {day.isoformat() for day in days})
        d["closures"] = d["closures"] + [[a.isoformat(), b.isoformat()] for a, b in spans]
        return type(self).from_dict(d)

    def __eq__(self, other):
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash(repr(self))

    def __repr__(self):
        return f"BusinessCalendar.from_dict({self.to_dict()!r})"


def _check_country(country, subdivision):
    if country is None:
        if subdivision is not None:
            raise ValueError(f"subdivision {subdivision!r} needs a country")
        return None, None
    try:
        holidays_lib.country_holidays(country, subdiv=subdivision, years=[])
    except (NotImplementedError, KeyError, ValueError, TypeError, AttributeError):
        where = f"country {country!r}" + (f" subdivision {subdivision!r}" if subdivision else "")
        raise ValueError(f"unknown holiday {where}") from None
    return country, subdivision
