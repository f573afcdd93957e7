"""Availability of a service over a period, measured against its service calendar.

Agreed service time is the calendar's open time in [start, end) minus the agreed
maintenance windows. Downtime is the impact-weighted outage time inside agreed
service time; where outages overlap, the instant counts once, at the highest impact.

Everything that happens inside a maintenance window is outside agreed service time:
it is neither agreed time nor downtime, whether the outage there was planned or not.
A planned outage *outside* every maintenance window is downtime like any other:
planning work does not excuse it, agreeing the window does.

Instants are handled as integer microseconds since the Unix epoch, so sums are exact;
impact-weighted sums are kept as exact fractions until the result is built.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_US_PER_S = 1_000_000


def check_aware(value, name: str) -> datetime:
    """Return ``value`` if it is an aware datetime; otherwise raise, naming ``name``."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value


def to_us(dt: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (exact)."""
    return (dt - _EPOCH) // _US


def from_us(us: int) -> datetime:
    """The UTC datetime ``us`` microseconds after the Unix epoch."""
    return _EPOCH + timedelta(microseconds=us)


@dataclass(frozen=True)
class Outage:
    """A period in [start, end) when a service or component was down or degraded.

    ``impact`` is 1.0 for a full outage and a fraction for degradation (0.5 counts
    half). ``planned`` marks announced work; see the module docstring for how it counts.
    """

    start: datetime
    end: datetime
    impact: float = 1.0
    planned: bool = False
    component: str | None = None
    id: str | int | None = None

    def __post_init__(self):
        check_aware(self.start, "start")
        check_aware(self.end, "end")
        if self.end <= self.start:
            raise ValueError(
                f"end {self.end.isoformat()} must be after start {self.start.isoformat()}"
            )
        impact = self.impact
        if isinstance(impact, bool) or not isinstance(impact, int | float):
            raise TypeError(f"impact must be a number between 0 and 1, got {impact!r}")
        if math.isnan(impact) or not 0 <= impact <= 1:
            raise ValueError(f"impact must be between 0 and 1, got {impact!r}")
        object.__setattr__(self, "impact", float(impact))


@dataclass(frozen=True)
class OutageShare:
    """One outage's part in an availability result.

    ``inside_seconds``: how long the outage overlapped agreed service time.
    ``downtime_seconds``: the downtime charged to it. Where outages overlap, the
    instant is charged to the one with the highest impact (on a tie, the one listed
    first), so the shares add up to the result's downtime.
    """

    outage: Outage
    inside_seconds: float
    downtime_seconds: float


@dataclass(frozen=True)
class AvailabilityResult:
    """Availability of one service over [start, end).

    ``service_seconds``: open time of the calendar. ``maintenance_seconds``: the part
    of it inside agreed maintenance windows. ``agreed_seconds``: the difference.
    ``availability`` is a percentage, or None when there was no agreed service time
    (nothing was promised, so nothing was met or missed).
    """

    start: datetime
    end: datetime
    service_seconds: float
    maintenance_seconds: float
    agreed_seconds: float
    downtime_seconds: float
    availability: float | None
    outages: tuple[OutageShare, ...]
    _agreed_us: int = field(repr=False, compare=False, default=0)
    _downtime_us: Fraction = field(repr=False, compare=False, default=Fraction(0))

    def allowed_downtime_seconds(self, target: float) -> float:
        """Downtime this period allows under a target percentage (99.9 -> 0.1 %)."""
        return float(self._allowed_us(target) / _US_PER_S)

    def meets(self, target: float) -> bool:
        """True when availability is at least ``target`` percent (exact comparison).

        A period without agreed service time meets every target.
        """
        return self._downtime_us <= self._allowed_us(target)

    def _allowed_us(self, target: float) -> Fraction:
        if isinstance(target, bool) or not isinstance(target, int | float):
            raise TypeError(f"target must be a percentage, got {target!r}")
        if math.isnan(target) or not 0 <= target <= 100:
            raise ValueError(f"target must be between 0 and 100, got {target!r}")
        # Decimal(repr(99.9)) is exactly 99.9, so 99.9 % of 30 days is exactly 2592 s.
        exact = Fraction(Decimal(repr(float(target))))
        return self._agreed_us * (100 - exact) / 100


def availability(
    outages: Iterable[Outage],
    calendar,
    start: datetime,
    end: datetime,
    maintenance: Iterable[tuple[datetime, datetime]] = (),
) -> AvailabilityResult:
    """Measure availability over [start, end) against ``calendar``'s open time.

    ``maintenance`` is an iterable of agreed (start, end) windows; see the module
    docstring for how windows and planned outages count.
    """
    check_aware(start, "start")
    check_aware(end, "end")
    if end <= start:
        raise ValueError(f"end {end.isoformat()} must be after start {start.isoformat()}")
    outages = list(outages)
    for i, outage in enumerate(outages):
        if not isinstance(outage, Outage):
            raise TypeError(f"outages[{i}] must be an Outage, got {outage!r}")
    windows = [_window(window, f"maintenance[{i}]") for i, window in enumerate(maintenance)]

    lo, hi = to_us(start), to_us(end)
    service = _clip(((to_us(s), to_us(e)) for s, e in calendar.open_intervals(start, end)), lo, hi)
    agreed = subtract(service, _clip(windows, lo, hi))
    service_us, agreed_us = measure(service), measure(agreed)

    pieces, inside = [], []
    for i, o in enumerate(outages):
        parts = intersect_one(to_us(o.start), to_us(o.end), agreed)
        inside.append(sum(e - s for s, e in parts))
        pieces.extend((s, e, o.impact, i) for s, e in parts)

    charged = [0] * len(outages)  # microseconds charged to each outage, at its impact
    for s, e, _impact, i in max_profile(pieces):
        charged[i] += e - s
    weighted = [Fraction(o.impact) * us for o, us in zip(outages, charged, strict=True)]
    downtime_us = sum(weighted, Fraction(0))

    percent = None
    if agreed_us:
        percent = float(100 * (agreed_us - downtime_us) / agreed_us)
    shares = tuple(
        OutageShare(o, us / _US_PER_S, float(w / _US_PER_S))
        for o, us, w in zip(outages, inside, weighted, strict=True)
        if o.start < end and o.end > start
    )
    return AvailabilityResult(
        start=start,
        end=end,
        service_seconds=service_us / _US_PER_S,
        maintenance_seconds=(service_us - agreed_us) / _US_PER_S,
        agreed_seconds=agreed_us / _US_PER_S,
        downtime_seconds=float(downtime_us / _US_PER_S),
        availability=percent,
        outages=shares,
        _agreed_us=agreed_us,
        _downtime_us=downtime_us,
    )


def _window(window, name: str) -> tuple[int, int]:
    try:
        s, e = window
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a (start, end) pair, got {window!r}")
    check_aware(s, f"{name}.start")
    check_aware(e, f"{name}.end")
    if e <= s:
        raise ValueError(f"{name}.end {e.isoformat()} must be after start {s.isoformat()}")
    return to_us(s), to_us(e)


# Interval arithmetic on half-open [s, e) pairs of integer microseconds.


def normalize(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint, non-adjacent union of the non-empty intervals."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(iv for iv in intervals if iv[0] < iv[1]):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _clip(intervals: Iterable[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    return normalize((max(s, lo), min(e, hi)) for s, e in intervals)


def measure(intervals: Iterable[tuple[int, int]]) -> int:
    """Total length of disjoint intervals."""
    return sum(e - s for s, e in intervals)


def subtract(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """a minus b, both normalized."""
    out, j = [], 0
    for s, e in a:
        while j < len(b) and b[j][1] <= s:
            j += 1
        k = j
        while s < e and k < len(b) and b[k][0] < e:
            if b[k][0] > s:
                out.append((s, b[k][0]))
            s = max(s, b[k][1])
            k += 1
        if s < e:
            out.append((s, e))
    return out


def intersect_one(s: int, e: int, intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of [s, e) inside normalized ``intervals``."""
    out = []
    i = max(bisect_right(intervals, (s, s)) - 1, 0)
    for a, b in intervals[i:]:
        if a >= e:
            break
        if b > s:
            out.append((max(a, s), min(b, e)))
    return out


def max_profile(items: Iterable[tuple[int, int, float, int]]) -> list[tuple[int, int, float, int]]:
    """Disjoint segments of (start, end, impact, key) items, each led by its top item.

    In every segment the item with the highest impact leads (on a tie, the lowest key);
    segments covered by no item are left out.
    """
    items = sorted(items, key=lambda item: item[0])
    points = sorted({p for s, e, _, _ in items for p in (s, e)})
    heap: list[tuple[float, int, int]] = []
    out, i = [], 0
    for p, q in pairwise(points):
        while i < len(items) and items[i][0] <= p:
            s, e, impact, key = items[i]
            heapq.heappush(heap, (-impact, key, e))
            i += 1
        while heap and heap[0][2] <= p:
            heapq.heappop(heap)
        if heap:
            out.append((p, q, -heap[0][0], heap[0][1]))
    return out
