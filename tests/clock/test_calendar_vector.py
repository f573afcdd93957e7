"""The vectorized path: what it accepts, what it returns, and how it refuses bad input."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from accord.clock import BusinessCalendar

LONDON = ZoneInfo("Europe/London")
OFFICE = {d: [("08:00", "18:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
HOUR = 3600


def office(**kwargs):
    return BusinessCalendar(tz="Europe/London", hours=OFFICE, **kwargs)


def utc(*args):
    return np.datetime64(datetime(*args), "us")


def test_the_worked_example_in_bulk():
    cal = office()
    starts = np.array([utc(2025, 6, 6, 15, 30), utc(2025, 6, 6, 15, 30)])  # Fri 16:30 BST
    due = cal.due_many(starts, [4 * HOUR, 1.5 * HOUR])
    assert due.dtype == np.dtype("M8[ns]")
    assert due.astype(str).tolist() == [
        "2025-06-09T09:30:00.000000000",  # Monday 10:30 BST
        "2025-06-06T17:00:00.000000000",  # closing time, 18:00 BST
    ]
    elapsed = cal.elapsed_many(starts, due)
    assert elapsed.dtype == np.float64
    assert elapsed.tolist() == [4 * HOUR, 1.5 * HOUR]


def test_any_datetime64_unit_is_accepted_and_finer_units_round_down():
    cal = BusinessCalendar.always()
    starts = np.array(["2025-01-01T00:00:00"], dtype="M8[s]")
    ends_ns = np.array(["2025-01-01T00:00:01.000000999"], dtype="M8[ns]")
    assert cal.elapsed_many(starts, ends_ns).tolist() == [1.0]
    days = np.array(["2025-01-01", "2025-02-01"], dtype="M8[D]")
    weeks = office().elapsed_many(days[:1], days[1:])
    assert weeks.tolist() == [23 * 10 * HOUR]  # 23 weekdays in January 2025


def test_sequences_of_aware_datetimes_in_any_zone_are_accepted():
    cal = office()
    starts = [datetime(2025, 6, 6, 16, 30, tzinfo=LONDON), "2025-06-06T15:30:00+00:00"]
    ends = [datetime(2025, 6, 9, 9, 30, tzinfo=UTC)] * 2
    assert cal.elapsed_many(starts, ends).tolist() == [4 * HOUR, 4 * HOUR]
    due = cal.due_many(starts, 4 * HOUR)  # one duration for every start
    assert due.astype(str).tolist() == ["2025-06-09T09:30:00.000000000"] * 2


def test_seconds_may_be_integers_floats_or_timedelta64():
    cal = office()
    starts = np.array([utc(2025, 6, 9, 7, 0)] * 3)  # Monday 08:00 BST
    as_ints = cal.due_many(starts, np.array([60, 120, 0]))
    as_deltas = cal.due_many(starts, np.array([60, 120, 0], dtype="m8[s]"))
    assert as_ints.tolist() == as_deltas.tolist()
    assert as_ints.astype(str).tolist() == [
        "2025-06-09T07:01:00.000000000",
        "2025-06-09T07:02:00.000000000",
        "2025-06-09T07:00:00.000000000",  # zero seconds: due at the start
    ]


def test_zero_seconds_is_due_at_the_start_even_when_closed():
    saturday = np.array([utc(2025, 6, 7, 12, 0)])
    assert office().due_many(saturday, [0]).astype(str).tolist() == [
        "2025-06-07T12:00:00.000000000"
    ]


def test_empty_input_gives_empty_output():
    empty = np.array([], dtype="M8[us]")
    assert office().elapsed_many(empty, empty).shape == (0,)
    assert office().due_many(empty, []).dtype == np.dtype("M8[ns]")


def test_tables_widen_to_new_years_and_far_targets():
    cal = office(country="GB", subdivision="ENG")
    first = cal.due_many(np.array([utc(2025, 1, 6, 9)]), [HOUR])
    later = np.array([utc(1999, 12, 31, 12), utc(2030, 6, 3, 9)])
    far = cal.due_many(later, [2000 * HOUR, 10 * HOUR])  # 2000 h: about ten months ahead
    expected = [cal.due(datetime(1999, 12, 31, 12, tzinfo=UTC), 2000 * HOUR),
                cal.due(datetime(2030, 6, 3, 9, tzinfo=UTC), 10 * HOUR)]
    assert far.astype(str).tolist() == [d.strftime("%Y-%m-%dT%H:%M:%S.000000000") for d in expected]
    assert first.astype(str).tolist() == ["2025-01-06T10:00:00.000000000"]


def test_before_1970_works_too():
    # From 1968-10-27 to 1971-10-31 Britain kept GMT+1 all year (British Standard Time).
    cal = office()
    start = datetime(1969, 1, 6, 8, 0, tzinfo=LONDON)
    assert start.isoformat() == "1969-01-06T08:00:00+01:00"
    got = cal.elapsed_many([start], [start + timedelta(days=7)])
    assert got.tolist() == [cal.elapsed(start, start + timedelta(days=7))] == [50 * HOUR]


def test_a_closed_calendar_never_becomes_due_in_bulk():
    cal = BusinessCalendar(tz="UTC", exceptions={date(2025, 1, 1): [("09:00", "10:00")]})
    starts = np.array([utc(2024, 12, 31), utc(2025, 1, 2)])
    assert cal.elapsed_many(starts[:1], starts[1:]).tolist() == [HOUR]
    assert cal.due_many(starts[:1], [HOUR]).astype(str).tolist() == [
        "2025-01-01T10:00:00.000000000"
    ]
    with pytest.raises(ValueError, match=r"starts\[1\].*beyond the year 2199"):
        cal.due_many(starts, [60, 60])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda c: c.elapsed_many([datetime(2025, 1, 1)], [datetime(2025, 1, 2, tzinfo=UTC)]),
         r"starts\[0\]: naive datetime"),
        (lambda c: c.elapsed_many(np.array(["2025-01-01", "NaT"], dtype="M8[us]"),
                                  np.array(["2025-01-01", "2025-01-01"], dtype="M8[us]")),
         r"starts\[1\].*NaT"),
        (lambda c: c.elapsed_many(np.array(["2025-01-01"], dtype="M8[us]"),
                                  np.array(["1850-01-01"], dtype="M8[us]")),
         r"ends\[0\].*1850"),
        (lambda c: c.elapsed_many(np.array(["2025-01-01"], dtype="M8[us]"),
                                  np.array(["2025-01-01"] * 2, dtype="M8[us]")),
         "differ in length: 1 and 2"),
        (lambda c: c.elapsed_many(np.array([1, 2]), np.array([3, 4])), "int64"),
        (lambda c: c.due_many(np.array(["2025-01-01"] * 2, dtype="M8[us]"), [5, -5]),
         r"seconds\[1\].*-5"),
        (lambda c: c.due_many(np.array(["2025-01-01"], dtype="M8[us]"), [float("nan")]),
         r"seconds\[0\].*nan"),
        (lambda c: c.due_many(np.array(["2025-01-01"], dtype="M8[us]"), [1, 2]),
         "2 values for 1 starts"),
        (lambda c: c.due_many(np.array(["2025-01-01"], dtype="M8[us]"), ["soon"]),
         "'soon'"),
    ],
)
def test_bad_input_raises_value_error_naming_the_bad_value(call, message):
    with pytest.raises(ValueError, match=message):
        call(office())
