"""DST and odd offsets, checked against real zones: the transition is written above each test.

Rule under test: a wall time maps to the first instant the zone's clock shows it (or a later
time). Ambiguous times take their first occurrence; times in a gap open when the gap ends.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from accord.clock import BusinessCalendar

HOUR = 3600
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def at(tz, *args):
    return datetime(*args, tzinfo=ZoneInfo(tz))


def spans(cal, start, end):
    return [(a.isoformat(), b.isoformat()) for a, b in cal.open_intervals(start, end)]


def sundays(tz, *interval):
    return BusinessCalendar(tz=tz, hours={"sun": [interval]})


class TestLondon:
    # 2025-03-30 01:00 GMT (01:00Z) clocks jump to 02:00 BST: 01:00-02:00 never happens.
    # 2025-10-26 02:00 BST (01:00Z) clocks fall back to 01:00 GMT: 01:00-02:00 happens twice.
    TZ = "Europe/London"

    def test_the_day_clocks_go_forward_has_23_hours_and_going_back_25(self):
        cal = sundays(self.TZ, "00:00", "24:00")
        assert cal.elapsed(at(self.TZ, 2025, 3, 30), at(self.TZ, 2025, 3, 31)) == 23 * HOUR
        assert cal.elapsed(at(self.TZ, 2025, 10, 26), at(self.TZ, 2025, 10, 27)) == 25 * HOUR
        assert spans(cal, at(self.TZ, 2025, 3, 29), at(self.TZ, 2025, 4, 1)) == [
            ("2025-03-30T00:00:00+00:00", "2025-03-30T23:00:00+00:00")
        ]

    def test_an_opening_inside_the_gap_opens_when_the_gap_ends(self):
        cal = sundays(self.TZ, "01:30", "03:00")
        assert spans(cal, at(self.TZ, 2025, 3, 29), at(self.TZ, 2025, 3, 31)) == [
            ("2025-03-30T01:00:00+00:00", "2025-03-30T02:00:00+00:00")
        ]

    def test_an_interval_wholly_inside_the_gap_is_empty(self):
        cal = sundays(self.TZ, "01:15", "01:45")
        assert cal.elapsed(at(self.TZ, 2025, 3, 29), at(self.TZ, 2025, 3, 31)) == 0.0
        assert cal.elapsed(at(self.TZ, 2025, 4, 5), at(self.TZ, 2025, 4, 7)) == 0.5 * HOUR

    def test_an_ambiguous_opening_uses_its_first_occurrence(self):
        cal = sundays(self.TZ, "01:30", "03:00")
        assert spans(cal, at(self.TZ, 2025, 10, 25), at(self.TZ, 2025, 10, 27)) == [
            ("2025-10-26T00:30:00+00:00", "2025-10-26T03:00:00+00:00")
        ]

    def test_due_counts_real_seconds_across_the_jump(self):
        cal = BusinessCalendar.always(tz=self.TZ)
        due = cal.due(at(self.TZ, 2025, 3, 29, 23, 0), 3 * HOUR)
        assert due.isoformat() == "2025-03-30T02:00:00+00:00"  # 03:00 BST on the wall
        office = BusinessCalendar(tz=self.TZ, hours={d: [("08:00", "18:00")] for d in EVERY_DAY})
        # Saturday 17:00 GMT + 2 h: 1 h on Saturday, then Sunday opens 08:00 BST = 07:00Z.
        due = office.due(at(self.TZ, 2025, 3, 29, 17, 0), 2 * HOUR)
        assert due.isoformat() == "2025-03-30T08:00:00+00:00"


class TestNewYork:
    # 2025-03-09 02:00 EST (07:00Z) jumps to 03:00 EDT.
    # 2025-11-02 02:00 EDT (06:00Z) falls back to 01:00 EST.
    TZ = "America/New_York"

    def test_an_opening_in_the_spring_gap_opens_at_the_jump(self):
        cal = sundays(self.TZ, "02:30", "04:00")
        assert spans(cal, at(self.TZ, 2025, 3, 8), at(self.TZ, 2025, 3, 10)) == [
            ("2025-03-09T07:00:00+00:00", "2025-03-09T08:00:00+00:00")
        ]

    def test_a_night_shift_over_the_fall_back_lasts_an_hour_longer(self):
        cal = BusinessCalendar(tz=self.TZ, hours={"sat": [("22:00", "06:00")]})
        assert spans(cal, at(self.TZ, 2025, 11, 1), at(self.TZ, 2025, 11, 3)) == [
            ("2025-11-02T02:00:00+00:00", "2025-11-02T11:00:00+00:00")
        ]
        assert cal.elapsed(at(self.TZ, 2025, 11, 1), at(self.TZ, 2025, 11, 3)) == 9 * HOUR
        due = cal.due(at(self.TZ, 2025, 11, 1, 23, 0), 8 * HOUR)
        assert due.isoformat() == "2025-11-02T11:00:00+00:00"  # at closing time, 06:00 EST

    def test_fall_back_sunday_has_25_hours(self):
        cal = sundays(self.TZ, "00:00", "24:00")
        assert cal.elapsed(at(self.TZ, 2025, 11, 2), at(self.TZ, 2025, 11, 3)) == 25 * HOUR
        assert cal.elapsed(at(self.TZ, 2025, 3, 9), at(self.TZ, 2025, 3, 10)) == 23 * HOUR


class TestLordHowe:
    # A 30-minute DST shift.
    # 2025-04-06 02:00 +11:00 (15:00Z on the 5th) falls back to 01:30 +10:30.
    # 2025-10-05 02:00 +10:30 (15:30Z on the 4th) jumps to 02:30 +11:00.
    TZ = "Australia/Lord_Howe"

    def test_the_days_last_24_and_a_half_and_23_and_a_half_hours(self):
        cal = sundays(self.TZ, "00:00", "24:00")
        assert cal.elapsed(at(self.TZ, 2025, 4, 6), at(self.TZ, 2025, 4, 7)) == 24.5 * HOUR
        assert cal.elapsed(at(self.TZ, 2025, 10, 5), at(self.TZ, 2025, 10, 6)) == 23.5 * HOUR

    def test_an_opening_in_the_half_hour_gap_opens_at_the_jump(self):
        cal = sundays(self.TZ, "02:10", "03:00")
        assert spans(cal, at(self.TZ, 2025, 10, 4), at(self.TZ, 2025, 10, 6)) == [
            ("2025-10-04T15:30:00+00:00", "2025-10-04T16:00:00+00:00")
        ]

    def test_a_repeated_half_hour_counts_both_times(self):
        cal = sundays(self.TZ, "01:45", "02:00")
        assert spans(cal, at(self.TZ, 2025, 4, 5), at(self.TZ, 2025, 4, 7)) == [
            ("2025-04-05T14:45:00+00:00", "2025-04-05T15:30:00+00:00")
        ]


class TestKathmandu:
    # +05:45, no DST. On 1986-01-01 the zone moved from +05:30 to +05:45:
    # 1985-12-31T18:30Z the clock jumped from 00:00 to 00:15.
    TZ = "Asia/Kathmandu"

    def test_hours_map_with_a_quarter_hour_offset(self):
        cal = BusinessCalendar(tz=self.TZ, hours={"mon": [("09:00", "17:00")]})
        assert spans(cal, at(self.TZ, 2025, 6, 9), at(self.TZ, 2025, 6, 10)) == [
            ("2025-06-09T03:15:00+00:00", "2025-06-09T11:15:00+00:00")
        ]
        due = cal.due(at(self.TZ, 2025, 6, 9, 16, 0), 2 * HOUR)
        assert due.isoformat() == "2025-06-16T04:15:00+00:00"  # 10:00 the next Monday

    def test_the_day_the_offset_changed_was_a_quarter_hour_short(self):
        cal = BusinessCalendar(tz=self.TZ, hours={"wed": [("00:00", "24:00")]})
        assert spans(cal, at(self.TZ, 1985, 12, 30), at(self.TZ, 1986, 1, 3)) == [
            ("1985-12-31T18:30:00+00:00", "1986-01-01T18:15:00+00:00")
        ]
