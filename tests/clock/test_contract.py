"""Acceptance checks written from issue 3 alone, the way an outside checker calls the engine.

Dates used: 2025-01-06 and 2025-03-10 are Mondays, 2025-03-07 a Friday. London leaves
GMT for BST on 2025-03-30 and returns on 2025-10-26; in 1971 it left British Standard Time
(UTC+1 all year since 1968) on 1971-10-31. 2099 follows the current rules (2099-03-29).
"""

import json
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from accord.clock import (
    BusinessCalendar,
    ClockState,
    Condition,
    Leaf,
    Outage,
    Redundant,
    Series,
    TargetDefinition,
    availability,
    compute_clocks,
    compute_ticket_clocks,
    measured_outages,
    modelled_availability,
)

LONDON = ZoneInfo("Europe/London")
HOUR = 3600
US = timedelta(microseconds=1)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
OFFICE_HOURS = {d: [("08:00", "18:00")] for d in WEEKDAYS}
OFFICE = BusinessCalendar(tz="Europe/London", hours=OFFICE_HOURS)


def issue_calendar():
    """The calendar printed in the issue, verbatim."""
    return BusinessCalendar(
        tz="Europe/London",
        hours={"mon": [("08:00", "12:30"), ("13:30", "18:00")], "tue": [("08:00", "18:00")]},
        holidays=[date(2025, 12, 25)],
        country="GB", subdivision="ENG",
        exceptions={date(2025, 12, 24): [("08:00", "12:00")]},
    )


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def london(*args):
    return datetime(*args, tzinfo=LONDON)


# --- Calendars and business time ------------------------------------------------------------

def test_the_issue_calendar_counts_its_week_with_half_day_exception_and_holidays():
    cal = issue_calendar()
    # Mon 22 Dec 9 h, Tue 23 Dec 10 h, Wed 24 Dec (normally closed) 08:00-12:00 by exception,
    # Thu 25 and Fri 26 closed (absent days, and holidays anyway).
    assert cal.elapsed(london(2025, 12, 22), london(2025, 12, 29)) == 23 * HOUR
    # The lunch break is closed.
    assert cal.elapsed(london(2025, 12, 22, 12), london(2025, 12, 22, 14)) == 1 * HOUR


def test_country_holidays_follow_the_subdivision():
    cal = issue_calendar()
    # 2025-08-25 is England's summer bank holiday (a Monday); 2025-08-04 is Scotland's only.
    assert cal.elapsed(london(2025, 8, 25), london(2025, 8, 26)) == 0.0
    assert cal.elapsed(london(2025, 8, 4), london(2025, 8, 5)) == 9 * HOUR
    # Spring bank holiday Monday 2025-05-26 closed; the Tuesday after is open.
    assert cal.elapsed(london(2025, 5, 26), london(2025, 5, 28)) == 10 * HOUR


def test_absent_days_are_closed():
    cal = BusinessCalendar(tz="UTC", hours={"wed": [("09:00", "17:00")]})
    assert cal.elapsed(utc(2025, 1, 6), utc(2025, 1, 8)) == 0.0  # Mon, Tue
    assert cal.elapsed(utc(2025, 1, 6), utc(2025, 1, 13)) == 8 * HOUR
    # due skips the closed days
    assert cal.due(utc(2025, 1, 9, 12), 1) == utc(2025, 1, 15, 9, 0, 1)


def test_24_00_is_a_valid_end():
    hours = {"sat": [("18:00", "24:00")], "sun": [("00:00", "02:00")]}
    cal = BusinessCalendar(tz="UTC", hours=hours)
    assert cal.elapsed(utc(2025, 1, 11), utc(2025, 1, 12)) == 6 * HOUR
    # The evening runs straight into Sunday's early hours.
    assert cal.due(utc(2025, 1, 11, 18), 6 * HOUR) == utc(2025, 1, 12)
    assert cal.due(utc(2025, 1, 11, 20), 5 * HOUR) == utc(2025, 1, 12, 1)


def test_a_night_shift_belongs_to_the_day_it_starts_on():
    # Friday 22:00 to Saturday 06:00 (2025-01-10 is a Friday).
    cal = BusinessCalendar(tz="UTC", hours={"fri": [("22:00", "06:00")]})
    assert cal.elapsed(utc(2025, 1, 6), utc(2025, 1, 13)) == 8 * HOUR
    assert cal.elapsed(utc(2025, 1, 11), utc(2025, 1, 11, 12)) == 6 * HOUR
    assert cal.due(utc(2025, 1, 10, 12), 3 * HOUR) == utc(2025, 1, 11, 1)


def test_a_holiday_on_the_start_day_closes_the_whole_night_shift():
    hours = {"fri": [("22:00", "06:00")]}
    on_friday = BusinessCalendar(tz="UTC", hours=hours, holidays=[date(2025, 1, 10)])
    assert on_friday.elapsed(utc(2025, 1, 6), utc(2025, 1, 13)) == 0.0
    # A holiday on Saturday does not touch Friday's shift.
    on_saturday = BusinessCalendar(tz="UTC", hours=hours, holidays=[date(2025, 1, 11)])
    assert on_saturday.elapsed(utc(2025, 1, 6), utc(2025, 1, 13)) == 8 * HOUR


def test_overlapping_intervals_merge():
    cal = BusinessCalendar(
        tz="UTC", hours={"mon": [("10:00", "14:00"), ("08:00", "12:00"), ("13:00", "15:00")]}
    )
    assert cal.elapsed(utc(2025, 1, 6), utc(2025, 1, 7)) == 7 * HOUR


def test_elapsed_is_a_python_float_and_zero_when_end_is_not_after_start():
    cal = issue_calendar()
    value = cal.elapsed(london(2025, 1, 6, 9), london(2025, 1, 6, 10))
    assert type(value) is float and value == HOUR
    assert cal.elapsed(london(2025, 1, 6, 10), london(2025, 1, 6, 9)) == 0.0
    assert type(cal.elapsed(london(2025, 1, 6, 10), london(2025, 1, 6, 10))) is float


def test_due_is_aware_utc_and_due_zero_is_start():
    cal = issue_calendar()
    saturday_night = london(2025, 7, 5, 23, 17, 3, 123456)  # closed time, BST
    result = cal.due(saturday_night, 0)
    assert result == saturday_night
    assert result.tzinfo is UTC
    monday = cal.due(london(2025, 7, 7, 9), 1800)
    assert monday.tzinfo is UTC and monday == utc(2025, 7, 7, 8, 30)


@pytest.mark.parametrize("start", [
    utc(1970, 1, 1, 0, 0, 0, 1), utc(1971, 6, 15, 12, 0, 0, 1), utc(2099, 12, 31, 23, 59, 59, 1),
])
def test_24x7_is_exact_to_the_microsecond(start):
    cal = BusinessCalendar.always(tz="UTC")
    assert cal.elapsed(start, start + US) == 1e-6
    assert cal.due(start, 1e-6) == start + US
    assert cal.due(start, 0.000123) == start + 123 * US


def test_long_spans_stay_exact_to_the_microsecond():
    cal = BusinessCalendar.always(tz="UTC")
    start, end = utc(1970, 1, 1, 0, 0, 0, 1), utc(2099, 12, 31, 23, 59, 59, 999999)
    seconds = cal.elapsed(start, end)
    assert seconds == (end - start).total_seconds()
    assert cal.due(start, seconds) == end


@pytest.mark.parametrize(("friday", "due_utc"), [
    # 1971: BST (UTC+1) all year until 31 Oct; Monday 1 Nov is GMT.
    (london(1971, 10, 29, 16, 30, 0, 7), utc(1971, 11, 1, 10, 30, 0, 7)),
    # 2099: GMT on Friday, BST from Sunday 29 March.
    (london(2099, 3, 27, 16, 30, 0, 7), utc(2099, 3, 30, 9, 30, 0, 7)),
    (london(2025, 3, 28, 16, 30), utc(2025, 3, 31, 9, 30)),
])
def test_friday_afternoon_is_due_monday_morning_across_dst_in_any_year(friday, due_utc):
    office = BusinessCalendar(tz="Europe/London", hours=OFFICE_HOURS)
    assert office.due(friday, 4 * HOUR) == due_utc
    assert office.elapsed(friday, due_utc) == 4 * HOUR
    assert office.elapsed(friday, due_utc - US) == 4 * HOUR - 1e-6
    assert office.due_many([friday], [4 * HOUR])[0] == np.datetime64(due_utc.replace(tzinfo=None))


def test_1971_and_2099_vectorized_match_scalar():
    starts = [london(1971, 10, 29, 17, 59, 59, 999999), utc(2099, 10, 23, 7, 0, 0, 1)]
    ends = [london(1971, 11, 2, 8, 0, 0, 1), utc(2099, 10, 27, 17, 0, 0, 3)]
    got = OFFICE.elapsed_many(starts, ends)
    assert got.tolist() == [OFFICE.elapsed(a, b) for a, b in zip(starts, ends, strict=True)]
    assert got[0] == 36000.000002  # 1 µs on Friday, 10 h on Monday, 1 µs on Tuesday


# --- inputs of the vectorized path ----------------------------------------------------------

STARTS = [london(2025, 3, 28, 17, 15, 0, 250), london(2025, 10, 24, 9), utc(2025, 12, 24, 7)]
ENDS = [london(2025, 3, 31, 8, 45), london(2025, 10, 27, 12, 0, 0, 1), utc(2025, 12, 30, 9)]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_numpy_arrays_of_any_unit_give_what_aware_datetimes_give(unit):
    cal = issue_calendar()

    def as_array(instants):
        naive_utc = [t.astimezone(UTC).replace(tzinfo=None) for t in instants]
        return np.array(naive_utc, dtype="datetime64[us]").astype(f"datetime64[{unit}]")

    def as_aware(array):  # the same instants back (coarse units truncate the microseconds)
        return [t.item().replace(tzinfo=UTC) for t in array.astype("datetime64[us]")]

    starts, ends = as_array(STARTS), as_array(ENDS)
    expected = [cal.elapsed(a, b) for a, b in zip(as_aware(starts), as_aware(ends), strict=True)]
    got = cal.elapsed_many(starts, ends)
    assert got.dtype == np.float64
    assert got.tolist() == expected
    # lists of aware datetimes in any zone
    assert cal.elapsed_many(STARTS, ENDS).tolist() == [
        cal.elapsed(a, b) for a, b in zip(STARTS, ENDS, strict=True)
    ]


def test_due_many_takes_a_plain_list_of_seconds_and_returns_datetime64_ns():
    cal = issue_calendar()
    seconds = [0, 1800, 9 * HOUR]
    got = cal.due_many(STARTS, seconds)
    assert got.dtype == np.dtype("datetime64[ns]")
    assert isinstance(got, np.ndarray)
    expected = [cal.due(s, x) for s, x in zip(STARTS, seconds, strict=True)]
    assert got.tolist() == [np.datetime64(t.replace(tzinfo=None), "ns").item() for t in expected]
    arr = np.array([t.astimezone(UTC).replace(tzinfo=None) for t in STARTS], "datetime64[us]")
    assert (cal.due_many(arr, np.array(seconds, dtype=np.int64)) == got).all()


ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]


def tricky_calendar(tz):
    return BusinessCalendar(
        tz=tz,
        hours={
            "mon": [("08:00", "12:30"), ("13:30", "18:00")],
            "tue": [("00:00", "24:00")],
            "wed": [("22:00", "06:00")],       # night shift into Thursday
            "sat": [("01:00", "03:00")],       # where spring-forward and fall-back gaps fall
            "sun": [("01:30", "02:45"), ("23:00", "02:30")],
        },
        holidays=[date(2025, 4, 5), date(2025, 11, 2), date(2024, 12, 25)],  # Sat, Sun, Wed
        exceptions={date(2025, 3, 9): [("01:00", "04:00")], date(2025, 10, 5): [],
                    date(2025, 12, 24): [("08:00", "12:00")]},
    )


@pytest.mark.parametrize("tz", ZONES)
def test_scalar_and_vectorized_paths_agree_exactly(tz):
    cal = tricky_calendar(tz)
    rng = np.random.default_rng(3)
    lo = np.datetime64("2024-01-01T00:00", "us").astype(np.int64)
    hi = np.datetime64("2026-01-01T00:00", "us").astype(np.int64)
    n = 400
    starts = rng.integers(lo, hi, n).astype("datetime64[us]")
    # snap a quarter onto whole hours so starts fall on boundaries
    starts[::4] = starts[::4].astype("datetime64[h]")
    spans = rng.integers(0, 10 * 86400 * 10**6, n).astype("timedelta64[us]")
    ends = starts + spans
    seconds = rng.integers(0, 3 * 86400 * 10**6, n) / 1e6
    seconds[::5] = np.round(seconds[::5] / 900) * 900
    aware = [s.item().replace(tzinfo=UTC) for s in starts]
    aware_ends = [e.item().replace(tzinfo=UTC) for e in ends]

    assert cal.elapsed_many(starts, ends).tolist() == [
        cal.elapsed(a, b) for a, b in zip(aware, aware_ends, strict=True)
    ]
    expected = [cal.due(a, float(x)) for a, x in zip(aware, seconds, strict=True)]
    assert cal.due_many(starts, seconds).astype("datetime64[us]").tolist() == [
        t.replace(tzinfo=None) for t in expected
    ]
    # and due is the earliest instant reaching the target
    for a, x, t in zip(aware[:50], seconds[:50], expected[:50], strict=True):
        assert cal.elapsed(a, t) >= x
        if x > 0:
            assert cal.elapsed(a, t - US) < x


# --- errors name the bad value --------------------------------------------------------------

@pytest.mark.parametrize(("build", "bad"), [
    (lambda: BusinessCalendar(tz="Mars/Olympus_Mons"), "Mars/Olympus_Mons"),
    (lambda: BusinessCalendar(tz="UTC", hours={"funday": [("08:00", "18:00")]}), "funday"),
    (lambda: BusinessCalendar(tz="UTC", hours={"mon": [("8am", "18:00")]}), "8am"),
    (lambda: BusinessCalendar(tz="UTC", hours={"mon": [("08:00", "25:00")]}), "25:00"),
    (lambda: BusinessCalendar(tz="UTC", hours={"mon": [("08:60", "18:00")]}), "08:60"),
    (lambda: BusinessCalendar(tz="UTC", exceptions={date(2025, 1, 6): [("09:00", "1x:00")]}),
     "1x:00"),
])
def test_bad_calendars_are_refused_naming_the_bad_value(build, bad):
    with pytest.raises(ValueError, match=bad.replace(".", r"\.")):
        build()


def test_naive_datetimes_and_negative_durations_are_refused_naming_the_value():
    cal = issue_calendar()
    naive = datetime(2025, 1, 6, 9, 15)
    aware = london(2025, 1, 6, 10)
    for call in (lambda: cal.elapsed(naive, aware), lambda: cal.elapsed(aware, naive),
                 lambda: cal.due(naive, 60), lambda: cal.elapsed_many([naive], [aware]),
                 lambda: cal.due_many([aware, naive], [1, 2])):
        with pytest.raises(ValueError, match="09:15"):
            call()
    with pytest.raises(ValueError, match="-5"):
        cal.due(aware, -5)
    with pytest.raises(ValueError, match="-2.5"):
        cal.due_many([aware, aware], [1, -2.5])


# --- iCalendar and dict round trip ------------------------------------------------------------

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//checker//EN\r\n"
    "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Offsite\r\nDTSTART;VALUE=DATE:20250107\r\n"
    "DTEND;VALUE=DATE:20250108\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Fire drill\r\nDTSTART;TZID=Europe/London:20250106T090000\r\n"
    "DTEND;TZID=Europe/London:20250106T100000\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_a_calendar_is_built_from_an_icalendar_file_of_closures():
    cal = BusinessCalendar.from_ical(ICS.encode(), tz="Europe/London", hours=OFFICE_HOURS)
    assert cal.elapsed(london(2025, 1, 6), london(2025, 1, 7)) == 9 * HOUR
    assert cal.elapsed(london(2025, 1, 7), london(2025, 1, 8)) == 0.0
    assert cal.elapsed(london(2025, 1, 8), london(2025, 1, 9)) == 10 * HOUR
    assert BusinessCalendar.from_ical(ICS, tz="Europe/London", hours=OFFICE_HOURS) == cal


def test_a_calendar_survives_a_trip_through_a_plain_dict():
    cal = issue_calendar().with_ical(ICS)
    data = json.loads(json.dumps(cal.to_dict()))
    back = BusinessCalendar.from_dict(data)
    assert back == cal
    instants = [london(2025, 1, 6) + timedelta(hours=7 * i) for i in range(60)]
    assert back.elapsed_many(instants[:-1], instants[1:]).tolist() == \
        cal.elapsed_many(instants[:-1], instants[1:]).tolist()
    assert BusinessCalendar.from_dict(BusinessCalendar.always().to_dict()) == \
        BusinessCalendar.always()


# --- Clocks -----------------------------------------------------------------------------------

PENDING = {"field": "status", "in": ["Pending customer"]}


def event(event_id, when, kind, **fields):
    """One row of the normalized event shape, as an importer would hand it over."""
    return {"source": "itsm", "event_id": event_id, "ticket_id": "INC42",
            "timestamp": when.isoformat(), "kind": kind, **fields}


def resolution(id="p1", hours=4, priority="P1", **rules):
    rules.setdefault("pause", PENDING)
    return TargetDefinition(id=id, metric="resolution", seconds=hours * HOUR, calendar=OFFICE,
                            applies={"field": "priority", "equals": priority}, **rules)


def test_friday_16_30_p1_is_due_monday_10_30_and_met_at_10_00():
    events = [event("e1", london(2025, 3, 7, 16, 30), "created", priority="P1", status="New"),
              event("e2", london(2025, 3, 10, 10), "resolved", status="Resolved")]
    running, = compute_clocks(resolution(), events[:1], now=london(2025, 3, 7, 17))
    assert running.state == ClockState.RUNNING
    assert running.due_at == london(2025, 3, 10, 10, 30)
    assert running.started_at == london(2025, 3, 7, 16, 30)
    assert running.cycle == 1
    assert running.elapsed == 1800 and running.percent == pytest.approx(12.5)

    met, = compute_clocks(resolution(), events, now=london(2025, 3, 20))
    assert met.state == ClockState.MET
    assert met.stopped_at == london(2025, 3, 10, 10)
    assert met.elapsed == 3.5 * HOUR and met.breached_at is None


def test_met_or_breached_is_decided_by_business_seconds_not_by_due_at():
    # 4 business hours from Friday 14:00 run out exactly at closing time, 18:00.
    created = event("e1", london(2025, 3, 7, 14), "created", priority="P1")
    early_monday = event("e2", london(2025, 3, 10, 7, 30), "resolved")
    clock, = compute_clocks(resolution(), [created, early_monday], now=london(2025, 3, 11))
    assert clock.due_at <= london(2025, 3, 7, 18)
    assert clock.stopped_at > clock.due_at  # later on the wall clock ...
    assert clock.elapsed == 4 * HOUR
    assert clock.state == ClockState.MET  # ... but within the business seconds

    one_second_late = event("e2", london(2025, 3, 10, 8, 0, 1), "resolved")
    clock, = compute_clocks(resolution(), [created, one_second_late], now=london(2025, 3, 11))
    assert clock.state == ClockState.BREACHED
    assert clock.elapsed == 4 * HOUR + 1


def test_warnings_and_breach_of_a_running_clock():
    created = event("e1", london(2025, 1, 6, 9), "created", priority="P1")
    clock, = compute_clocks(resolution(), [created], now=london(2025, 1, 6, 13, 30))
    assert clock.state == ClockState.BREACHED
    assert clock.stopped_at is None
    assert clock.breached_at == london(2025, 1, 6, 13)
    assert clock.percent == pytest.approx(112.5)
    assert clock.warnings == {50: london(2025, 1, 6, 11), 75: london(2025, 1, 6, 12),
                              90: london(2025, 1, 6, 12, 36)}


def test_time_pending_customer_does_not_count_even_when_the_target_changes_meanwhile():
    p1, p3 = resolution(), resolution(id="p3", hours=16, priority="P3")
    events = [
        event("e1", london(2025, 1, 6, 9), "created", priority="P3", status="New"),
        event("e2", london(2025, 1, 6, 10), "status_changed", status="Pending customer"),
        event("e3", london(2025, 1, 6, 11), "updated", priority="P1"),  # raised mid-pause
        event("e4", london(2025, 1, 6, 12), "status_changed", status="In progress"),
    ]
    clocks = compute_ticket_clocks([p1, p3], events, now=london(2025, 1, 6, 13))
    by_target = {c.target_id: c for c in clocks}
    assert by_target["p3"].state == ClockState.CANCELLED
    now_p1 = by_target["p1"]
    # retroactive: from the original start, with the pause honoured
    assert now_p1.started_at == london(2025, 1, 6, 9)
    assert now_p1.state == ClockState.RUNNING
    assert now_p1.elapsed == 2 * HOUR and now_p1.paused == 2 * HOUR
    assert now_p1.due_at == london(2025, 1, 6, 15)

    paused, = [c for c in compute_ticket_clocks([p1, p3], events[:3], london(2025, 1, 6, 11, 30))
               if c.target_id == "p1"]
    assert paused.state == ClockState.PAUSED
    assert paused.elapsed == HOUR and paused.paused == 1.5 * HOUR


def test_a_resume_condition_resumes_a_paused_clock_before_the_status_changes_back():
    customer_replied = {"all": [{"kind": "commented"},
                                {"field": "payload.author", "equals": "customer"}]}
    target = resolution(resume=customer_replied)
    events = [
        event("e1", london(2025, 1, 6, 9), "created", priority="P1", status="New"),
        event("e2", london(2025, 1, 6, 10), "status_changed", status="Pending customer"),
        event("e3", london(2025, 1, 6, 10, 30), "commented", payload={"author": "agent"}),
        event("e4", london(2025, 1, 6, 11), "commented", payload={"author": "customer"}),
        event("e5", london(2025, 1, 6, 12), "resolved", status="Resolved"),
    ]
    clock, = compute_clocks(target, events, now=london(2025, 1, 7))
    assert (clock.elapsed, clock.paused) == (2 * HOUR, HOUR)
    # without a resume condition the clock waits for the status to change
    plain, = compute_clocks(resolution(), events, now=london(2025, 1, 7))
    assert (plain.elapsed, plain.paused) == (HOUR, 2 * HOUR)
    assert TargetDefinition.from_dict(json.loads(json.dumps(target.to_dict()))) == target


def test_a_p3_raised_to_p1_starts_the_p1_clock_from_the_original_start():
    p1, p3 = resolution(), resolution(id="p3", hours=16, priority="P3")
    events = [event("e1", london(2025, 1, 6, 9), "created", priority="P3"),
              event("e2", london(2025, 1, 6, 11), "updated", priority="P1")]
    clocks = compute_ticket_clocks([p1, p3], events, now=london(2025, 1, 6, 12))
    p3_clock, = [c for c in clocks if c.target_id == "p3"]
    p1_clock, = [c for c in clocks if c.target_id == "p1"]
    assert p3_clock.state == ClockState.CANCELLED
    assert p1_clock.started_at == london(2025, 1, 6, 9)
    assert p1_clock.elapsed == 3 * HOUR
    assert p1_clock.due_at == london(2025, 1, 6, 13)


REOPENED = [
    event("e1", london(2025, 1, 6, 9), "created", priority="P1"),
    event("e2", london(2025, 1, 6, 10), "resolved"),
    event("e3", london(2025, 1, 6, 11), "reopened"),
    event("e4", london(2025, 1, 6, 12, 30), "resolved"),
]


def test_a_reopened_ticket_starts_a_new_cycle_by_default():
    clocks = compute_clocks(resolution(), REOPENED, now=london(2025, 1, 7))
    assert [(c.cycle, c.state, c.elapsed) for c in clocks] == [
        (1, ClockState.MET, HOUR), (2, ClockState.MET, 1.5 * HOUR)]
    assert clocks[1].started_at == london(2025, 1, 6, 11)


def test_a_reopened_ticket_resumes_its_clock_under_the_resume_policy():
    clock, = compute_clocks(resolution(reopen="resume"), REOPENED, now=london(2025, 1, 7))
    assert clock.state == ClockState.MET
    assert clock.elapsed == 2.5 * HOUR
    assert clock.started_at == london(2025, 1, 6, 9)
    assert clock.stopped_at == london(2025, 1, 6, 12, 30)
    still_open, = compute_clocks(resolution(reopen="resume"), REOPENED[:3],
                                 now=london(2025, 1, 6, 14, 30))
    assert still_open.state == ClockState.BREACHED  # 1 h + 3.5 h: over the 4 h target
    assert still_open.breached_at == london(2025, 1, 6, 14)


def test_the_update_interval_restarts_at_each_public_update():
    target = TargetDefinition(id="upd", metric="update_interval", seconds=2 * HOUR,
                              calendar=OFFICE)
    events = [
        event("e1", london(2025, 1, 6, 9), "created"),
        event("e2", london(2025, 1, 6, 10), "commented", public=True),
        event("e3", london(2025, 1, 6, 11), "commented", public=False),  # internal note
        event("e4", london(2025, 1, 6, 12, 30), "commented", public=True),  # a 2.5 h gap
        event("e5", london(2025, 1, 6, 13), "resolved"),
    ]
    clocks = compute_clocks(target, events, now=london(2025, 1, 7))
    assert [(c.started_at, c.state, c.elapsed) for c in clocks] == [
        (london(2025, 1, 6, 9), ClockState.MET, HOUR),
        (london(2025, 1, 6, 10), ClockState.BREACHED, 2.5 * HOUR),
        (london(2025, 1, 6, 12, 30), ClockState.MET, 0.5 * HOUR),
    ]


def test_start_stop_reset_and_cancel_conditions_are_the_targets_own():
    target = TargetDefinition(
        id="fix", metric="resolution", seconds=8 * HOUR, calendar=OFFICE,
        start={"field": "status", "equals": "Assigned"},
        stop={"field": "status", "in": ["Fixed"]},
        reset={"all": [{"changed": "service"}, {"not": {"field": "service", "equals": "Mail"}}]},
        cancel={"field": "status", "equals": "Withdrawn"},
    )
    events = [
        event("e1", london(2025, 1, 6, 9), "created", status="New", service="Mail"),
        event("e2", london(2025, 1, 6, 10), "status_changed", status="Assigned"),
        event("e3", london(2025, 1, 6, 12), "updated", service="Payroll"),  # reset
        event("e4", london(2025, 1, 6, 15), "status_changed", status="Fixed"),
        event("e5", london(2025, 1, 7, 9), "reopened", status="Assigned"),
        event("e6", london(2025, 1, 7, 10), "status_changed", status="Withdrawn"),
    ]
    fixed, withdrawn = compute_clocks(target, events, now=london(2025, 1, 8))
    assert fixed.started_at == london(2025, 1, 6, 10)
    assert (fixed.state, fixed.elapsed) == (ClockState.MET, 3 * HOUR)  # counted since the reset
    assert fixed.stopped_at == london(2025, 1, 6, 15)
    assert withdrawn.state == ClockState.CANCELLED
    assert withdrawn.stopped_at == london(2025, 1, 7, 10)


def test_response_and_fulfilment_metrics():
    response = TargetDefinition(id="resp", metric="response", seconds=HOUR, calendar=OFFICE)
    fulfil = TargetDefinition(id="ful", metric="fulfilment", seconds=8 * HOUR, calendar=OFFICE)
    events = [event("e1", london(2025, 1, 6, 17, 30), "created", type="Request"),
              event("e2", london(2025, 1, 7, 8, 45), "responded"),
              event("e3", london(2025, 1, 7, 15), "resolved")]
    resp, ful = compute_ticket_clocks([response, fulfil], events, london(2025, 1, 8))
    assert (resp.state, resp.elapsed) == (ClockState.BREACHED, 1.25 * HOUR)
    assert (ful.state, ful.elapsed) == (ClockState.MET, 7.5 * HOUR)


def test_business_time_is_split_by_who_held_the_ticket():
    events = [
        event("e1", london(2025, 1, 6, 9), "created", priority="P1", team="Service desk"),
        event("e2", london(2025, 1, 6, 10), "updated", team="Network"),
        event("e3", london(2025, 1, 6, 11), "status_changed", status="Pending customer"),
        event("e4", london(2025, 1, 6, 12), "status_changed", status="In progress"),
        event("e5", london(2025, 1, 6, 12, 30), "updated", team="Service desk"),
        event("e6", london(2025, 1, 6, 13), "resolved"),
    ]
    clock, = compute_clocks(resolution(), events, now=london(2025, 1, 7))
    shares = {getattr(holder, "name", holder): s for holder, s in clock.attribution.items()}
    assert shares == {"Service desk": 1.5 * HOUR, "Network": 1.5 * HOUR}
    assert sum(clock.attribution.values()) == clock.elapsed == 3 * HOUR


def test_a_clock_explains_itself_in_order():
    events = [
        event("e1", london(2025, 1, 6, 9), "created", priority="P1"),
        event("e2", london(2025, 1, 6, 10), "status_changed", status="Pending customer"),
        event("e3", london(2025, 1, 6, 11), "status_changed", status="In progress"),
        event("e4", london(2025, 1, 6, 12), "resolved", status="Resolved"),
    ]
    clock, = compute_clocks(resolution(), events, now=london(2025, 1, 7))
    lines = clock.explain()
    assert all(isinstance(line, str) for line in lines)
    ids = [next(i for i in ("e1", "e2", "e3", "e4") if i in line) for line in lines
           if any(i in line for i in ("e1", "e2", "e3", "e4"))]
    assert ids == ["e1", "e2", "e3", "e4"]
    words = ["started", "paused", "resumed", "stopped"]
    assert [w for line in lines for w in words if w in line] == words
    assert "Pending customer" in lines[1]


def test_shuffled_or_repeated_events_give_the_same_clocks():
    events = [
        event("e1", london(2025, 1, 6, 9), "created", priority="P3", team="Service desk"),
        event("e2", london(2025, 1, 6, 9, 30), "commented", public=True),
        event("e3", london(2025, 1, 6, 10), "status_changed", status="Pending customer"),
        event("e4", london(2025, 1, 6, 11), "updated", priority="P1", team="Network"),
        event("e5", london(2025, 1, 6, 12), "status_changed", status="In progress"),
        event("e6", london(2025, 1, 6, 14), "resolved"),
        event("e7", london(2025, 1, 6, 15), "reopened"),
    ]
    targets = [resolution(), resolution(id="p3", hours=16, priority="P3"),
               TargetDefinition(id="resp", metric="response", seconds=HOUR, calendar=OFFICE)]
    now = london(2025, 1, 7, 9)
    expected = compute_ticket_clocks(targets, events, now)
    rng = random.Random(5)
    for _ in range(10):
        jumbled = events + rng.sample(events, 3)
        rng.shuffle(jumbled)
        assert compute_ticket_clocks(targets, jumbled, now) == expected


def test_now_bounds_the_computation_and_must_be_aware():
    events = [event("e1", london(2025, 1, 6, 9), "created", priority="P1"),
              event("e2", london(2025, 1, 6, 10), "resolved")]
    clock, = compute_clocks(resolution(), events, now=london(2025, 1, 6, 9, 30))
    assert clock.state == ClockState.RUNNING and clock.elapsed == 1800
    with pytest.raises(ValueError, match="2025-01-06"):
        compute_clocks(resolution(), events, now=datetime(2025, 1, 6, 9, 30))


def test_conditions_combine_with_and_or_not_and_round_trip():
    applies = {"all": [
        {"field": "type", "equals": "Incident"},
        {"any": [{"field": "priority", "equals": "P1"}, {"field": "priority", "equals": "P2"}]},
        {"not": {"field": "team", "in": ["Vendor desk"]}},
    ]}
    target = TargetDefinition(id="t", metric="resolution", seconds=HOUR, applies=applies)
    assert Condition.from_json(target.applies.to_json()).to_json() == target.applies.to_json()
    assert TargetDefinition.from_dict(json.loads(json.dumps(target.to_dict()))) == target

    def clocks(**fields):
        return compute_clocks(target, [event("e1", utc(2025, 1, 6, 9), "created", **fields)],
                              now=utc(2025, 1, 6, 10))

    assert len(clocks(type="Incident", priority="P2", team="Network")) == 1
    assert clocks(type="Incident", priority="P3", team="Network") == []
    assert clocks(type="Incident", priority="P1", team="Vendor desk") == []
    assert clocks(type="Request", priority="P1") == []


def test_the_condition_language_refuses_what_it_does_not_know():
    for bad in ({"eval": "__import__('os')"}, {"field": "__class__", "equals": "x"},
                "priority == 'P1'"):
        with pytest.raises(ValueError):
            Condition.from_json(bad)
    with pytest.raises(ValueError, match="sometimes"):
        TargetDefinition(id="t", metric="resolution", seconds=60, reopen="sometimes")
    with pytest.raises(ValueError, match="-60"):
        TargetDefinition(id="t", metric="resolution", seconds=-60)


# --- Availability -----------------------------------------------------------------------------

def test_availability_counts_downtime_inside_agreed_service_time_only():
    week = (london(2025, 1, 6), london(2025, 1, 13))
    maintenance = [(london(2025, 1, 8, 8), london(2025, 1, 8, 10))]  # Wednesday morning
    outages = [
        Outage(london(2025, 1, 6, 7), london(2025, 1, 6, 9)),             # 1 h in hours
        Outage(london(2025, 1, 7, 12), london(2025, 1, 7, 14), impact=0.5),  # 2 h at half
        Outage(london(2025, 1, 7, 13), london(2025, 1, 7, 13, 30)),      # overlaps: counts once
        Outage(london(2025, 1, 8, 9), london(2025, 1, 8, 9, 30)),        # inside maintenance
        Outage(london(2025, 1, 11, 10), london(2025, 1, 11, 12)),        # Saturday: closed
    ]
    result = availability(outages, OFFICE, *week, maintenance=maintenance)
    assert result.service_seconds == 50 * HOUR
    assert result.agreed_seconds == 48 * HOUR
    # 1 h + 1.5 h at 0.5 + 0.5 h at 1.0 = 2.25 h
    assert result.downtime_seconds == 2.25 * HOUR
    assert result.availability == pytest.approx(100 * (48 - 2.25) / 48)


def test_composite_availability_modelled_and_measured():
    assert modelled_availability(Series([Leaf("web"), Leaf("db")]), {"web": 0.99, "db": 0.98}) \
        == pytest.approx(0.99 * 0.98)
    pair = Redundant([Leaf("db1"), Leaf("db2")])
    assert modelled_availability(pair, {"db1": 0.99, "db2": 0.98}) == pytest.approx(
        1 - 0.01 * 0.02)
    shop = Series([Leaf("web"), pair])
    assert modelled_availability(shop, {"web": 0.999, "db1": 0.99, "db2": 0.98}) == \
        pytest.approx(0.999 * (1 - 0.01 * 0.02))

    recorded = {"db1": [Outage(london(2025, 1, 6, 10), london(2025, 1, 6, 12))],
                "db2": [Outage(london(2025, 1, 6, 11), london(2025, 1, 6, 13))],
                "web": [Outage(london(2025, 1, 7, 9), london(2025, 1, 7, 9, 15))]}
    down = measured_outages(shop, recorded, service="shop")
    assert [(o.start, o.end) for o in down] == [
        (london(2025, 1, 6, 11), london(2025, 1, 6, 12)),
        (london(2025, 1, 7, 9), london(2025, 1, 7, 9, 15)),
    ]
    result = availability(down, OFFICE, london(2025, 1, 6), london(2025, 1, 13))
    assert result.downtime_seconds == 1.25 * HOUR
    serial = measured_outages(Series([Leaf("db1"), Leaf("db2")]), recorded)
    assert [(o.start, o.end) for o in serial] == [(london(2025, 1, 6, 10), london(2025, 1, 6, 13))]
