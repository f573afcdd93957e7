"""Local wall-clock times to UTC microseconds, with one rule for DST edges.

The rule: a wall time maps to the first instant at which the zone's clock shows that time
or a later one. So an ambiguous time (fall-back, shown twice) is its first occurrence
(``fold=0``), and a time inside a spring-forward gap (never shown) is the instant the gap
ends: an opening at 01:30 on a day when clocks jump from 01:00 to 02:00 opens at the jump.
The mapping never decreases, so an interval can shrink across a gap but never turn inside out.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ._spec import EPOCH, US

_NAIVE_EPOCH = EPOCH.replace(tzinfo=None)
_SECOND = timedelta(seconds=1)


def wall_to_us(tz: ZoneInfo, day: date, seconds: int) -> int:
    """UTC microseconds of ``seconds`` after local midnight of ``day`` (may exceed a day)."""
    naive = datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)
    first = naive.replace(tzinfo=tz)
    off0, off1 = first.utcoffset(), first.replace(fold=1).utcoffset()
    if off0 >= off1:  # an ordinary time, or an ambiguous one: take the first occurrence
        return (naive - off0 - _NAIVE_EPOCH) // timedelta(microseconds=1)
    # In a gap: the transition lies in (naive - off1, naive - off0]; find it to the second.
    lo = (naive - off1 - _NAIVE_EPOCH) // _SECOND  # the clock still shows the old offset here
    hi = (naive - off0 - _NAIVE_EPOCH) // _SECOND  # and the new one here
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset_at(tz, mid) == off1:
            hi = mid
        else:
            lo = mid
    return hi * US


def _offset_at(tz: ZoneInfo, second: int) -> timedelta:
    return (EPOCH + timedelta(seconds=second)).astimezone(tz).utcoffset()


def local_date(tz: ZoneInfo, us: int) -> date:
    return (EPOCH + timedelta(microseconds=us)).astimezone(tz).date()


def local_year_start(tz: ZoneInfo, year: int) -> int:
    return wall_to_us(tz, date(year, 1, 1), 0)

