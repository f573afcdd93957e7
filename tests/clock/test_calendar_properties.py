"""Properties of business time on many calendars, and scalar == vectorized, bit for bit.

Instants are drawn near the calendars' own open/close boundaries (DST weeks included) as
well as anywhere in 2024-2026, so edges are hit often.
"""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.clock import BusinessCalendar

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
LO = int((datetime(2024, 1, 1, tzinfo=UTC) - EPOCH).total_seconds()) * 10**6
HI = int((datetime(2027, 1, 1, tzinfo=UTC) - EPOCH).total_seconds()) * 10**6
SETTINGS = settings(max_examples=40, deadline=None)


def _instant(us):
    return EPOCH + timedelta(microseconds=us)


def _us(dt):
    return (dt - EPOCH) // timedelta(microseconds=1)


def _tiny_pieces():
    # Open 0.1 s, closed 0.1 s, 300 times: gaps and intervals far shorter than a bucket.
    t0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    step = timedelta(milliseconds=100)
    return [(t0 + (2 * k + 1) * step, t0 + (2 * k + 2) * step) for k in range(300)]


CALENDARS = {
    "london office": BusinessCalendar(
        tz="Europe/London",
        hours={"mon": [("08:00", "12:30"), ("13:30", "18:00")]}
        | {d: [("08:00", "18:00")] for d in WEEKDAYS[1:]},
        country="GB",
        subdivision="ENG",
        exceptions={date(2025, 12, 24): [("08:00", "12:00")], date(2024, 12, 24): []},
    ),
    "night shifts": BusinessCalendar(
        tz="Europe/London",
        hours={d: [("22:00", "06:00")] for d in WEEKDAYS}
        | {"sat": [("20:00", "08:00")], "sun": [("06:00", "10:00"), ("21:00", "24:00")]},
        holidays=[date(2025, 3, 29), date(2025, 10, 26), date(2025, 12, 25)],
    ),
    "new york edges": BusinessCalendar(
        tz="America/New_York",
        hours={"sun": [("00:00", "24:00")], "mon": [("01:30", "03:00"), ("02:30", "04:00")],
               "sat": [("02:15", "02:45")], "wed": [("09:00", "17:00")]},
        exceptions={date(2025, 3, 12): [("23:00", "01:00")]},
    ),
    "lord howe": BusinessCalendar(
        tz="Australia/Lord_Howe", hours={d: [("01:45", "02:40"), ("09:00", "17:00")]
                                         for d in ("sun", "mon", "sat")}
    ),
    "kathmandu": BusinessCalendar(
        tz="Asia/Kathmandu",
        hours={d: [("09:00", "17:00")] for d in WEEKDAYS},
        exceptions={date(2025, 5, 1): [], date(2025, 5, 3): [("10:00", "12:00")]},
    ),
    "always london": BusinessCalendar.always(tz="Europe/London"),
    "seconds apart": BusinessCalendar(
        tz="UTC",
        hours={d: [("08:00", "12:00"), ("12:00:01", "12:00:02"), ("12:00:03", "18:00")]
               for d in WEEKDAYS},
        closures=[(datetime(2025, 6, 2, 9, 0, 0, 500_000, tzinfo=UTC),
                   datetime(2025, 6, 2, 9, 0, 1, tzinfo=UTC))],
    ),
    "tiny pieces": BusinessCalendar(
        tz="UTC", hours={"tue": [("09:00", "09:01"), ("10:00", "11:00")]},
        closures=_tiny_pieces(),
    ),
}


def _boundaries(cal):
    out = []
    for year in (2024, 2025, 2026):
        start = datetime(year, 1, 1, tzinfo=UTC)
        for a, b in cal.open_intervals(start, start + timedelta(days=366)):
            out += [_us(a), _us(b)]
    return out or [LO]


BOUNDARIES = {name: _boundaries(cal) for name, cal in CALENDARS.items()}


@st.composite
def instants(draw, name):
    """µs instants: anywhere in 2024-2026, or within a minute of one of the boundaries."""
    if draw(st.booleans()):
        return draw(st.integers(LO, HI))
    edge = draw(st.sampled_from(BOUNDARIES[name]))
    return edge + draw(st.sampled_from([0, 0, 1, -1, 2]) | st.integers(-60 * 10**6, 60 * 10**6))


durations = st.one_of(
    st.integers(0, 20 * 86400 * 10**6).map(lambda us: us / 1e6),  # whole µs
    st.floats(0, 5 * 86400, allow_nan=False),
    st.sampled_from([0.0, 1e-6, 0.5e-6, 1.0, 0.1, 3600.0, 36000.0]),
)

names = pytest.mark.parametrize("name", sorted(CALENDARS))


def _whole_us(seconds):
    return round(seconds * 1e6)


@names
@SETTINGS
@given(data=st.data())
def test_elapsed_adds_up_over_consecutive_ranges(name, data):
    cal = CALENDARS[name]
    a, b, c = sorted(data.draw(instants(name)) for _ in range(3))
    a, b, c = _instant(a), _instant(b), _instant(c)
    whole = _whole_us(cal.elapsed(a, c))
    assert _whole_us(cal.elapsed(a, b)) + _whole_us(cal.elapsed(b, c)) == whole
    assert cal.elapsed(c, a) == 0.0


@names
@SETTINGS
@given(data=st.data())
def test_due_is_the_earliest_instant_reaching_the_target(name, data):
    cal = CALENDARS[name]
    start = _instant(data.draw(instants(name)))
    seconds = data.draw(durations)
    due = cal.due(start, seconds)
    assert due >= start
    assert cal.elapsed(start, due) >= seconds
    if due > start:
        assert cal.elapsed(start, due - timedelta(microseconds=1)) < seconds
    if _whole_us(seconds) / 1e6 == seconds:  # a whole number of µs is reached exactly
        assert cal.elapsed(start, due) == seconds


@names
@SETTINGS
@given(data=st.data())
def test_elapsed_and_due_never_go_backwards(name, data):
    cal = CALENDARS[name]
    s, t1, t2 = (_instant(data.draw(instants(name))) for _ in range(3))
    t1, t2 = min(t1, t2), max(t1, t2)
    assert cal.elapsed(s, t1) <= cal.elapsed(s, t2)
    assert cal.elapsed(t1, s) >= cal.elapsed(t2, s)
    x, y = sorted((data.draw(durations), data.draw(durations)))
    assert cal.due(s, x) <= cal.due(s, y)


@names
@SETTINGS
@given(data=st.data())
def test_vectorized_results_equal_the_scalar_ones_exactly(name, data):
    cal = CALENDARS[name]
    n = data.draw(st.integers(1, 12))
    starts = np.array([data.draw(instants(name)) for _ in range(n)], dtype="M8[us]")
    ends = np.array([data.draw(instants(name)) for _ in range(n)], dtype="M8[us]")
    seconds = np.array([data.draw(durations) for _ in range(n)])
    elapsed = cal.elapsed_many(starts, ends)
    due = cal.due_many(starts, seconds)
    for i in range(n):
        s, e = _instant(int(starts[i].astype(int))), _instant(int(ends[i].astype(int)))
        assert elapsed[i] == cal.elapsed(s, e)
        expected = _us(cal.due(s, float(seconds[i]))) * 1000
        assert int(due[i].astype(int)) == expected


@names
def test_vectorized_agrees_with_scalar_on_a_dense_sweep_of_one_year(name):
    # Every 7 h 13 min 17.000003 s through 2025, against the next instant on the sweep,
    # with durations from nothing to a few days: hits every DST week and holiday.
    cal = CALENDARS[name]
    step = (7 * 3600 + 13 * 60 + 17) * 10**6 + 3
    us = np.arange(LO + 366 * 86400 * 10**6, LO + 2 * 366 * 86400 * 10**6, step)
    seconds = (np.arange(len(us)) % 97) * 3217.25
    elapsed = cal.elapsed_many(us[:-1].view("M8[us]"), us[1:].view("M8[us]"))
    due = cal.due_many(us.view("M8[us]"), seconds)
    expected_elapsed = [cal.elapsed(_instant(int(a)), _instant(int(b)))
                        for a, b in zip(us[:-1], us[1:], strict=True)]
    expected_due = [_us(cal.due(_instant(int(a)), float(s))) * 1000
                    for a, s in zip(us, seconds, strict=True)]
    assert elapsed.tolist() == expected_elapsed
    assert due.astype(np.int64).tolist() == expected_due
