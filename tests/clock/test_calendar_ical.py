"""Closures from iCalendar files, and calendars that survive a trip through a dict."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from accord.clock import BusinessCalendar

LONDON = ZoneInfo("Europe/London")
OFFICE = {d: [("08:00", "18:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
HOUR = 3600


def london(*args):
    return datetime(*args, tzinfo=LONDON)


def ics(*events):
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//accord//tests//EN\r\n"
    text = f"{head}{body}END:VCALENDAR\r\n"
    return text.replace("\n        ", "\r\n").encode()


CHRISTMAS = """UID:xmas
        SUMMARY:Christmas shutdown
        DTSTART;VALUE=DATE:20251225
        DTEND;VALUE=DATE:20251227"""
MAINTENANCE = """UID:maint
        SUMMARY:Maintenance window
        DTSTART;TZID=Europe/London:20250707T090000
        DTEND;TZID=Europe/London:20250707T110000"""
FLOATING = """UID:float
        SUMMARY:Team day
        DTSTART:20250708T120000
        DURATION:PT30M"""
IN_UTC = """UID:utc
        SUMMARY:Network change
        DTSTART:20250709T120000Z
        DTEND:20250709T130000Z"""
CANCELLED = """UID:gone
        SUMMARY:Called off
        STATUS:CANCELLED
        DTSTART;VALUE=DATE:20250710"""


def test_all_day_events_close_whole_days_and_timed_events_close_their_span():
    data = ics(CHRISTMAS, MAINTENANCE, FLOATING, IN_UTC, CANCELLED)
    cal = BusinessCalendar.from_ical(data, tz="Europe/London", hours=OFFICE)
    assert cal.elapsed(london(2025, 12, 25), london(2025, 12, 27)) == 0.0
    assert cal.elapsed(london(2025, 7, 7), london(2025, 7, 8)) == 8 * HOUR
    assert cal.elapsed(london(2025, 7, 8), london(2025, 7, 9)) == 9.5 * HOUR  # floating, local
    assert cal.elapsed(london(2025, 7, 9), london(2025, 7, 10)) == 9 * HOUR  # 13:00-14:00 BST
    assert cal.elapsed(london(2025, 7, 10), london(2025, 7, 11)) == 10 * HOUR  # cancelled
    assert cal.due(london(2025, 7, 7, 8, 30), HOUR) == london(2025, 7, 7, 11, 30)
    assert cal.to_dict()["holidays"] == ["2025-12-25", "2025-12-26"]
    assert cal.to_dict()["closures"] == [
        ["2025-07-07T08:00:00+00:00", "2025-07-07T10:00:00+00:00"],
        ["2025-07-08T11:00:00+00:00", "2025-07-08T11:30:00+00:00"],
        ["2025-07-09T12:00:00+00:00", "2025-07-09T13:00:00+00:00"],
    ]


def test_with_ical_adds_closures_to_an_existing_calendar(tmp_path):
    path = tmp_path / "closures.ics"
    path.write_bytes(ics(MAINTENANCE))
    base = BusinessCalendar(tz="Europe/London", hours=OFFICE, holidays=[date(2025, 12, 25)])
    cal = base.with_ical(path)
    assert cal.elapsed(london(2025, 7, 7), london(2025, 7, 8)) == 8 * HOUR
    assert base.elapsed(london(2025, 7, 7), london(2025, 7, 8)) == 10 * HOUR  # unchanged
    assert cal.to_dict()["holidays"] == ["2025-12-25"]
    assert BusinessCalendar.from_ical(path, tz="Europe/London", hours=OFFICE,
                                      holidays=[date(2025, 12, 25)]) == cal


def test_a_string_is_calendar_text_never_a_file_name(tmp_path):
    """Text from a user must not make the server read one of its files."""
    path = tmp_path / "closures.ics"
    path.write_bytes(ics(MAINTENANCE))
    with pytest.raises(ValueError, match="malformed iCalendar data"):
        BusinessCalendar.from_ical(str(path), tz="Europe/London", hours=OFFICE)


def test_the_dict_is_json_and_round_trips_with_closures_from_ical():
    cal = BusinessCalendar.from_ical(
        ics(CHRISTMAS, MAINTENANCE), tz="Europe/London", hours=OFFICE, country="GB",
        subdivision="ENG", exceptions={date(2025, 12, 24): [("08:00", "12:00")]},
    )
    again = BusinessCalendar.from_dict(json.loads(json.dumps(cal.to_dict())))
    assert again == cal
    assert again.elapsed(london(2025, 7, 7), london(2025, 12, 31)) == cal.elapsed(
        london(2025, 7, 7), london(2025, 12, 31)
    )


@pytest.mark.parametrize(
    "data, message",
    [
        (ics("UID:r\r\nSUMMARY:Weekly\r\nDTSTART:20250707T090000Z\r\nRRULE:FREQ=WEEKLY"),
         "'Weekly'.*RRULE"),
        (ics("UID:e\r\nSUMMARY:Backwards\r\nDTSTART:20250707T090000Z\r\nDTEND:20250707T080000Z"),
         "'Backwards'.*before it starts"),
        (ics("UID:n\r\nSUMMARY:Nowhen"), "'Nowhen'.*DTSTART"),
        (b"BEGIN:VCALENDAR\r\nthis is not ical", "malformed iCalendar"),
        ("/no/such/file.ics", "/no/such/file.ics"),
    ],
)
def test_bad_ical_raises_value_error_naming_the_problem(data, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar.from_ical(data, tz="UTC", hours=OFFICE)
