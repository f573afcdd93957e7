"""Business calendars: hours, holidays, exceptions, night shifts and errors (scalar path)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from accord.clock import BusinessCalendar

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
OFFICE = {day: [("08:00", "18:00")] for day in WEEKDAYS}
HOUR = 3600


def london(*args):
    return datetime(*args, tzinfo=LONDON)


def iso(dt):
    return dt.isoformat()


def office(**kwargs):
    return BusinessCalendar(tz="Europe/London", hours=OFFICE, **kwargs)


def test_the_worked_example_friday_p1_is_due_monday_morning():
    # A P1 opened Friday 16:30 with 4 business hours: 1.5 h on Friday, 2.5 h on Monday.
    cal = office()
    due = cal.due(london(2025, 6, 6, 16, 30), 4 * HOUR)
    assert due == london(2025, 6, 9, 10, 30)
    assert iso(due) == "2025-06-09T09:30:00+00:00"  # BST: 10:30 local is 09:30 UTC
    assert due.tzinfo == UTC


def test_a_target_that_runs_out_at_closing_time_is_due_at_closing_time():
    cal = office()
    assert cal.due(london(2025, 6, 6, 16, 30), 1.5 * HOUR) == london(2025, 6, 6, 18, 0)
    assert cal.due(london(2025, 6, 6, 8, 0), 10 * HOUR) == london(2025, 6, 6, 18, 0)


def test_due_with_zero_seconds_is_the_start_even_when_closed():
    cal = office()
    saturday = london(2025, 6, 7, 3, 0)
    assert cal.due(saturday, 0) == saturday


def test_a_target_starting_while_closed_counts_from_the_next_opening():
    cal = office()
    assert cal.due(london(2025, 6, 7, 12, 0), HOUR) == london(2025, 6, 9, 9, 0)
    assert cal.due(london(2025, 6, 9, 7, 0), HOUR) == london(2025, 6, 9, 9, 0)


def test_elapsed_counts_only_open_time_and_is_zero_backwards():
    cal = office()
    assert cal.elapsed(london(2025, 6, 6, 16, 30), london(2025, 6, 9, 10, 30)) == 4 * HOUR
    assert cal.elapsed(london(2025, 6, 9, 10, 30), london(2025, 6, 6, 16, 30)) == 0.0
    assert cal.elapsed(london(2025, 6, 7), london(2025, 6, 8)) == 0.0
    # one whole week: five ten-hour days
    assert cal.elapsed(london(2025, 6, 2), london(2025, 6, 9)) == 50 * HOUR


def test_results_are_exact_to_the_microsecond():
    cal = office()
    start = london(2025, 6, 6, 17, 59, 59, 999_999)
    assert cal.elapsed(start, london(2025, 6, 9, 8, 0, 0, 1)) == 2e-6
    assert cal.due(start, 2e-6) == london(2025, 6, 9, 8, 0, 0, 1)
    assert cal.due(start, 1.5e-6) == london(2025, 6, 9, 8, 0, 0, 1)  # rounds up, never early


def test_lunch_breaks_are_closed():
    cal = BusinessCalendar(
        tz="Europe/London", hours={"mon": [("08:00", "12:30"), ("13:30", "18:00")]}
    )
    assert cal.elapsed(london(2025, 6, 9), london(2025, 6, 10)) == 9 * HOUR
    assert cal.due(london(2025, 6, 9, 12, 0), HOUR) == london(2025, 6, 9, 14, 0)
    # 4.5 h runs out exactly at the start of lunch
    assert cal.due(london(2025, 6, 9, 8, 0), 4.5 * HOUR) == london(2025, 6, 9, 12, 30)


def test_holidays_close_whole_days_even_on_weekends():
    # 2025-12-25 is a Thursday and 2027-12-25 a Saturday: the weekend one changes nothing.
    cal = BusinessCalendar(
        tz="Europe/London",
        hours={**OFFICE, "sat": [("10:00", "14:00")]},
        holidays=[date(2025, 12, 25), date(2027, 12, 25)],
    )
    assert cal.elapsed(london(2025, 12, 25), london(2025, 12, 26)) == 0.0
    assert cal.elapsed(london(2027, 12, 25), london(2027, 12, 26)) == 0.0
    assert cal.due(london(2025, 12, 24, 17, 0), 2 * HOUR) == london(2025, 12, 26, 9, 0)


def test_country_holidays_come_from_the_holidays_package():
    cal = office(country="GB", subdivision="ENG")
    # Christmas and Boxing Day 2025 (Thu, Fri) are bank holidays in England.
    assert cal.elapsed(london(2025, 12, 25), london(2025, 12, 27)) == 0.0
    assert cal.due(london(2025, 12, 24, 17, 0), 2 * HOUR) == london(2025, 12, 29, 9, 0)
    # 2027-12-25 falls on a Saturday: the substitute day, Monday 27th and Tuesday 28th, close.
    assert cal.elapsed(london(2027, 12, 27), london(2027, 12, 29)) == 0.0
    assert cal.elapsed(london(2027, 12, 29), london(2027, 12, 30)) == 10 * HOUR


def test_exceptions_replace_a_days_hours_and_an_empty_list_closes_it():
    cal = office(
        country="GB",
        subdivision="ENG",
        exceptions={date(2025, 12, 24): [("08:00", "12:00")], date(2025, 12, 23): []},
    )
    assert cal.elapsed(london(2025, 12, 24), london(2025, 12, 25)) == 4 * HOUR
    assert cal.elapsed(london(2025, 12, 23), london(2025, 12, 24)) == 0.0
    assert cal.due(london(2025, 12, 24, 11, 0), 2 * HOUR) == london(2025, 12, 29, 9, 0)


def test_an_exception_opens_a_holiday_or_a_weekend():
    cal = office(
        holidays=[date(2025, 12, 25)],
        exceptions={date(2025, 12, 25): [("10:00", "11:00")], "2025-12-27": [("09:00", "10:00")]},
    )
    assert cal.elapsed(london(2025, 12, 25), london(2025, 12, 26)) == HOUR
    assert cal.elapsed(london(2025, 12, 27), london(2025, 12, 28)) == HOUR


def test_a_night_shift_belongs_to_the_day_it_starts_on():
    # Friday 22:00 to Saturday 06:00; no other hours.
    cal = BusinessCalendar(tz="Europe/London", hours={"fri": [("22:00", "06:00")]})
    assert cal.elapsed(london(2025, 6, 6), london(2025, 6, 8)) == 8 * HOUR
    assert cal.due(london(2025, 6, 7, 5, 0), 2 * HOUR) == london(2025, 6, 13, 23, 0)
    opened = list(cal.open_intervals(london(2025, 6, 6), london(2025, 6, 8)))
    assert [(iso(a), iso(b)) for a, b in opened] == [
        ("2025-06-06T21:00:00+00:00", "2025-06-07T05:00:00+00:00")
    ]


def test_a_holiday_closes_the_whole_night_shift_that_starts_on_it():
    shifts = {"thu": [("22:00", "06:00")], "fri": [("22:00", "06:00")]}
    cal = BusinessCalendar(tz="Europe/London", hours=shifts, holidays=[date(2025, 6, 6)])
    # Thursday's shift runs into the holiday (Friday) morning; Friday's shift is closed.
    assert cal.elapsed(london(2025, 6, 5), london(2025, 6, 8)) == 8 * HOUR
    assert cal.elapsed(london(2025, 6, 6), london(2025, 6, 6, 6, 0)) == 6 * HOUR


def test_an_exception_replaces_a_night_shift_on_its_date():
    cal = BusinessCalendar(
        tz="Europe/London",
        hours={"fri": [("22:00", "06:00")]},
        exceptions={date(2025, 6, 6): [("22:00", "02:00")]},
    )
    assert cal.elapsed(london(2025, 6, 6), london(2025, 6, 8)) == 4 * HOUR


def test_night_shift_and_the_next_mornings_hours_merge_where_they_overlap():
    cal = BusinessCalendar(
        tz="Europe/London", hours={"mon": [("20:00", "08:00")], "tue": [("06:00", "10:00")]}
    )
    assert cal.elapsed(london(2025, 6, 9), london(2025, 6, 11)) == 14 * HOUR
    opened = list(cal.open_intervals(london(2025, 6, 9), london(2025, 6, 11)))
    assert [(iso(a), iso(b)) for a, b in opened] == [
        ("2025-06-09T19:00:00+00:00", "2025-06-10T09:00:00+00:00")
    ]


def test_overlapping_intervals_merge_and_24_00_ends_a_day():
    cal = BusinessCalendar(
        tz="UTC",
        hours={"mon": [("08:00", "12:00"), ("10:00", "14:00"), ("13:00", "24:00")]},
    )
    monday = datetime(2025, 6, 9, tzinfo=UTC)
    assert cal.elapsed(monday, monday + timedelta(days=1)) == 16 * HOUR
    assert cal.due(monday, 16 * HOUR) == monday + timedelta(days=1)
    opened = list(cal.open_intervals(monday, monday + timedelta(days=7)))
    assert [(iso(a), iso(b)) for a, b in opened] == [
        ("2025-06-09T08:00:00+00:00", "2025-06-10T00:00:00+00:00")
    ]


def test_open_intervals_join_across_midnight_and_are_clipped_to_the_range():
    cal = BusinessCalendar.always(tz="Europe/London")
    start, end = london(2025, 3, 29, 12, 0), london(2025, 4, 2, 12, 0)
    assert [(iso(a), iso(b)) for a, b in cal.open_intervals(start, end)] == [
        ("2025-03-29T12:00:00+00:00", "2025-04-02T11:00:00+00:00")
    ]
    night = BusinessCalendar(tz="UTC", hours={d: [("00:00", "24:00")] for d in ("mon", "tue")})
    monday = datetime(2025, 6, 9, 12, tzinfo=UTC)
    assert [(iso(a), iso(b)) for a, b in night.open_intervals(monday, monday + timedelta(7))] == [
        ("2025-06-09T12:00:00+00:00", "2025-06-11T00:00:00+00:00"),
        ("2025-06-16T00:00:00+00:00", "2025-06-16T12:00:00+00:00"),
    ]


def test_always_is_open_around_the_clock_in_real_seconds():
    cal = BusinessCalendar.always()
    start = datetime(2025, 1, 1, tzinfo=UTC)
    assert cal.elapsed(start, start + timedelta(days=365)) == 365 * 86400
    assert cal.due(start, 90) == start + timedelta(seconds=90)
    # in London the night the clocks go forward is an hour short
    spring = BusinessCalendar.always(tz="Europe/London")
    assert spring.elapsed(london(2025, 3, 30), london(2025, 3, 31)) == 23 * HOUR
    assert BusinessCalendar.always() == BusinessCalendar(
        tz="UTC", hours={d: [("00:00", "24:00")] for d in ("mon", "tue", "wed", "thu", "fri",
                                                              "sat", "sun")}
    )


def test_hours_accept_seconds_lists_and_time_objects():
    cal = BusinessCalendar(
        tz="UTC", hours={"mon": [["08:00:30", "09:00"]], "tue": [(time(8), time(9))]}
    )
    monday = datetime(2025, 6, 9, tzinfo=UTC)
    assert cal.elapsed(monday, monday + timedelta(days=2)) == 3570 + 3600


def test_a_calendar_with_no_hours_never_becomes_due():
    cal = BusinessCalendar(tz="UTC")
    start = datetime(2025, 6, 9, tzinfo=UTC)
    assert cal.elapsed(start, start + timedelta(days=30)) == 0.0
    with pytest.raises(ValueError, match="beyond the year 2199"):
        cal.due(start, 1)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"tz": "Mars/Olympus"}, "'Mars/Olympus'"),
        ({"tz": "UTC", "hours": {"monday": [("08:00", "18:00")]}}, "'monday'"),
        ({"tz": "UTC", "hours": {"Mon": [("08:00", "18:00")]}}, "'Mon'"),
        ({"tz": "UTC", "hours": {"mon": [("25:00", "26:00")]}}, "'25:00'"),
        ({"tz": "UTC", "hours": {"mon": [("8am", "5pm")]}}, "'8am'"),
        ({"tz": "UTC", "hours": {"mon": [("24:00", "08:00")]}}, "'24:00'"),
        ({"tz": "UTC", "hours": {"mon": [("08:00", "08:00")]}}, "'08:00'"),
        ({"tz": "UTC", "hours": {"mon": [("08:00",)]}}, "'08:00'"),
        ({"tz": "UTC", "hours": {"mon": "08:00-18:00"}}, "'08:00-18:00'"),
        ({"tz": "UTC", "holidays": ["25/12/2025"]}, "'25/12/2025'"),
        ({"tz": "UTC", "exceptions": {date(2025, 1, 2): [("09:00", "17:60")]}}, "'17:60'"),
        ({"tz": "UTC", "country": "XX"}, "'XX'"),
        ({"tz": "UTC", "country": "GB", "subdivision": "ATLANTIS"}, "'ATLANTIS'"),
        ({"tz": "UTC", "subdivision": "ENG"}, "'ENG'"),
        ({"tz": "UTC", "closures": [("2025-01-01T10:00", "2025-01-01T12:00+00:00")]}, "10:00"),
    ],
)
def test_bad_specifications_raise_value_error_naming_the_bad_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**kwargs)


def test_naive_datetimes_and_negative_durations_are_refused():
    cal = office()
    naive = datetime(2025, 6, 9, 8, 0)
    with pytest.raises(ValueError, match="naive datetime"):
        cal.elapsed(naive, london(2025, 6, 10))
    with pytest.raises(ValueError, match="naive datetime"):
        cal.due(naive, 60)
    with pytest.raises(ValueError, match="naive datetime"):
        list(cal.open_intervals(london(2025, 6, 9), naive))
    with pytest.raises(ValueError, match="-5"):
        cal.due(london(2025, 6, 9), -5)
    with pytest.raises(ValueError, match="nan"):
        cal.due(london(2025, 6, 9), float("nan"))
    with pytest.raises(ValueError, match="1850"):
        cal.elapsed(datetime(1850, 1, 1, tzinfo=UTC), london(2025, 6, 9))


def test_dict_round_trip_gives_an_equal_calendar():
    cal = BusinessCalendar(
        tz="Europe/London",
        hours={"mon": [("08:00", "12:30"), ("13:30", "18:00")], "fri": [("22:00", "06:00:30")]},
        holidays=[date(2025, 12, 25)],
        country="GB",
        subdivision="ENG",
        exceptions={date(2025, 12, 24): [("08:00", "12:00")], date(2025, 12, 31): []},
        closures=[(london(2025, 7, 1, 9, 0), london(2025, 7, 1, 10, 0))],
    )
    d = cal.to_dict()
    assert d == {
        "tz": "Europe/London",
        "hours": {
            "mon": [["08:00", "12:30"], ["13:30", "18:00"]],
            "fri": [["22:00", "06:00:30"]],
        },
        "holidays": ["2025-12-25"],
        "country": "GB",
        "subdivision": "ENG",
        "exceptions": {"2025-12-24": [["08:00", "12:00"]], "2025-12-31": []},
        "closures": [["2025-07-01T08:00:00+00:00", "2025-07-01T09:00:00+00:00"]],
    }
    again = BusinessCalendar.from_dict(d)
    assert again == cal
    assert repr(again) == repr(cal)
    assert again != office()


def test_a_round_trip_keeps_overlapping_intervals_that_span_more_than_a_day():
    # 00:00-24:00 plus 22:00-06:00 is open 30 h from midnight: Monday 00:00 to Wednesday 06:00.
    spans = [("00:00", "24:00"), ("22:00", "06:00")]
    cal = BusinessCalendar(tz="UTC", hours={"mon": spans}, exceptions={"2025-06-10": spans})
    again = BusinessCalendar.from_dict(cal.to_dict())
    monday = datetime(2025, 6, 9, tzinfo=UTC)
    assert again.elapsed(monday, monday + timedelta(days=7)) == 54 * HOUR
    assert cal.elapsed(monday, monday + timedelta(days=7)) == 54 * HOUR


def test_from_dict_refuses_unknown_fields():
    with pytest.raises(ValueError, match="'hourz'"):
        BusinessCalendar.from_dict({"tz": "UTC", "hourz": {}})


def test_closures_cut_time_out_of_open_hours():
    cal = office(closures=[(london(2025, 6, 9, 9, 0), london(2025, 6, 9, 11, 0))])
    assert cal.elapsed(london(2025, 6, 9), london(2025, 6, 10)) == 8 * HOUR
    assert cal.due(london(2025, 6, 9, 8, 30), HOUR) == london(2025, 6, 9, 11, 30)
    assert cal.due(london(2025, 6, 9, 9, 30), HOUR) == london(2025, 6, 9, 12, 0)
