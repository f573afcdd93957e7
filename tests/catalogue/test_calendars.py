"""Calendars: a row becomes the engine's BusinessCalendar; input is validated by building it;
iCalendar feeds add holidays and closures; each change is versioned and audited."""

from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.accounts.models import AuditEntry
from accord.catalogue import calendars, services
from accord.catalogue.calendars import business_calendar
from accord.catalogue.models import Calendar, Service
from accord.clock.calendar import BusinessCalendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
OFFICE = {day: [["09:00", "17:00"]] for day in WEEKDAYS}


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_a_calendar_row_becomes_the_engines_calendar(admin_user, api):
    body = {
        "name": "London office", "tz": "Europe/London", "hours": OFFICE,
        "holidays": ["2025-03-10"], "exceptions": {"2025-03-11": [["09:00", "12:00"]]},
    }
    created = api(admin_user).post("calendars", body)
    assert created.status_code == 201, created.data

    cal = business_calendar(Calendar.objects.get(pk=created.data["id"]))

    expected = BusinessCalendar("Europe/London", hours=OFFICE, holidays=[date(2025, 3, 10)],
                                exceptions={date(2025, 3, 11): [("09:00", "12:00")]})
    assert cal == expected
    assert BusinessCalendar.from_dict(cal.to_dict()) == cal
    # Friday noon to Wednesday noon: Fri 5 h, Mon a holiday, Tue a half day of 3 h, Wed 3 h.
    assert cal.elapsed(utc(2025, 3, 7, 12), utc(2025, 3, 12, 12)) == 11 * 3600


def test_hours_are_london_wall_clock_hours_across_the_dst_change(office_hours):
    cal = business_calendar(office_hours)

    # 2025-03-30 01:00 GMT clocks go forward: Monday 31 March opens at 09:00 BST = 08:00 UTC.
    assert cal.due(utc(2025, 3, 28, 16), 2 * 3600).isoformat() == "2025-03-31T09:00:00+00:00"
    assert cal.due(utc(2025, 3, 21, 16), 2 * 3600).isoformat() == "2025-03-24T10:00:00+00:00"


def test_an_always_open_calendar_counts_every_second(db):
    row = calendars.create_calendar(by=None, name="24x7", tz="UTC", always_open=True)

    cal = business_calendar(row)

    assert cal.elapsed(utc(2025, 3, 8), utc(2025, 3, 10)) == 2 * 86400
    assert cal == BusinessCalendar.always("UTC")


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"tz": "Europe/Lundun"}, "tz", "Europe/Lundun"),
        ({"hours": {"mon": [["9", "17:00"]]}}, "hours", "'9'"),
        ({"hours": {"mon": [["09:00", "25:00"]]}}, "hours", "'25:00'"),
        ({"hours": {"monday": [["09:00", "17:00"]]}}, "hours", "'monday'"),
        ({"hours": {}}, "hours", "never open"),
        ({"holidays": ["2025-02-30"]}, "holidays", "2025-02-30"),
        ({"country": "XX"}, "country", "'XX'"),
        ({"country": "GB", "subdivision": "NOPE"}, "subdivision", "'NOPE'"),
        ({"exceptions": {"2025-12-24": [["12:00"]]}}, "exceptions", "2025-12-24"),
        ({"closures": [["2025-06-01T10:00:00", "2025-06-01T12:00:00"]]}, "closures", "naive"),
    ],
)
def test_bad_calendar_input_names_the_field_and_changes_nothing(
    office_hours, admin_user, api, changes, field, says
):
    me = api(admin_user)
    audit_rows = AuditEntry.objects.count()

    response = me.patch(f"calendars/{office_hours.pk}", changes)

    assert response.status_code == 422, response.data
    detail = response.data["detail"][0]
    assert detail["loc"][-1] == field and says in detail["msg"]
    office_hours.refresh_from_db()
    assert (office_hours.version, office_hours.hours) == (1, OFFICE)
    assert AuditEntry.objects.count() == audit_rows


def test_only_administrators_change_calendars(office_hours, slm, reader, admin_user, api):
    for user in (slm, reader):
        me = api(user)
        assert me.get(f"calendars/{office_hours.pk}").status_code == 200
        assert me.post("calendars", {"name": "Night shift", "hours": OFFICE}).status_code == 403
        assert me.patch(f"calendars/{office_hours.pk}", {"tz": "UTC"}).status_code == 403
    assert api(admin_user).patch(f"calendars/{office_hours.pk}", {"tz": "UTC"}).data["tz"] == "UTC"


def test_each_change_raises_the_version_and_is_audited(office_hours, admin_user, api):
    me = api(admin_user)

    me.patch(f"calendars/{office_hours.pk}", {"country": "GB", "subdivision": "ENG"})
    me.patch(f"calendars/{office_hours.pk}", {"country": "GB"})  # no change, no new version

    office_hours.refresh_from_db()
    assert office_hours.version == 2
    history = me.get(f"calendars/{office_hours.pk}/history").data["items"]
    assert [e["action"] for e in history] == ["update", "create"]
    assert history[0]["changes"]["country"] == ["", "GB"]
    assert history[0]["changes"]["version"] == [1, 2]
    assert history[0]["actor"] == "ada"


def test_the_built_calendar_is_cached_until_the_version_changes(office_hours, admin_user):
    first = business_calendar(office_hours)
    assert business_calendar(Calendar.objects.get(pk=office_hours.pk)) is first

    calendars.update_calendar(office_hours, by=admin_user, holidays=["2025-03-10"])

    rebuilt = business_calendar(Calendar.objects.get(pk=office_hours.pk))
    assert rebuilt is not first
    assert rebuilt.elapsed(utc(2025, 3, 10), utc(2025, 3, 11)) == 0.0


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Accord tests//EN
BEGIN:VEVENT
UID:xmas-2025@example.com
SUMMARY:Christmas
DTSTART;VALUE=DATE:20251225
DTEND;VALUE=DATE:20251227
END:VEVENT
BEGIN:VEVENT
UID:move-2025@example.com
SUMMARY:Office move
DTSTART:20250604T120000Z
DTEND:20250604T150000Z
END:VEVENT
END:VCALENDAR
"""


def test_it_imports_holidays_and_closures_from_an_icalendar_feed(office_hours, admin_user, api):
    response = api(admin_user).post(f"calendars/{office_hours.pk}/ical", {"ics": ICS})

    assert response.status_code == 200, response.data
    assert response.data["holidays"] == ["2025-12-25", "2025-12-26"]
    assert response.data["closures"] == [["2025-06-04T12:00:00+00:00",
                                          "2025-06-04T15:00:00+00:00"]]
    assert response.data["version"] == 2
    office_hours.refresh_from_db()
    cal = business_calendar(office_hours)
    # Christmas Day (a Thursday) is closed; the office move takes 13:00-16:00 BST off.
    assert cal.elapsed(utc(2025, 12, 25), utc(2025, 12, 26)) == 0.0
    assert cal.elapsed(utc(2025, 6, 4), utc(2025, 6, 5)) == 5 * 3600
    entry = AuditEntry.objects.filter(action="import").get()
    assert entry.message == "iCalendar import: 2 new holiday(s), 1 new closure(s)"
    assert entry.changes["holidays"] == [[], ["2025-12-25", "2025-12-26"]]


def test_it_accepts_the_feed_as_a_file_upload_and_can_replace(office_hours, admin_user, client):
    from accord.accounts.services import create_token

    calendars.update_calendar(office_hours, by=admin_user, holidays=["2025-01-01"])
    _, raw = create_token(admin_user, "upload", "write")
    upload = SimpleUploadedFile("holidays.ics", ICS.encode(), content_type="text/calendar")

    response = client.post(
        f"/api/v1/calendars/{office_hours.pk}/ical", {"file": upload, "replace": "true"},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )

    assert response.status_code == 200, response.content
    assert response.json()["holidays"] == ["2025-12-25", "2025-12-26"]


@pytest.mark.parametrize(
    ("ics", "says"),
    [
        ("", "empty"),
        (ICS.replace("DTEND:20250604T150000Z", "DTEND:20250604T150000Z\nRRULE:FREQ=YEARLY"),
         "recurring"),
    ],
)
def test_a_bad_feed_is_refused_and_changes_nothing(office_hours, admin_user, api, ics, says):
    response = api(admin_user).post(f"calendars/{office_hours.pk}/ical", {"ics": ics})

    assert response.status_code == 422
    detail = response.data["detail"][0]
    assert detail["loc"][-1] == "ics" and says in detail["msg"]
    office_hours.refresh_from_db()
    assert (office_hours.version, office_hours.holidays) == (1, [])


def test_a_server_path_in_place_of_the_feed_is_never_read(office_hours, admin_user, api,
                                                          tmp_path):
    feed = tmp_path / "holidays.ics"
    feed.write_text(ICS)

    response = api(admin_user).post(f"calendars/{office_hours.pk}/ical", {"ics": str(feed)})

    assert response.status_code == 422
    assert "malformed" in response.data["detail"][0]["msg"]
    office_hours.refresh_from_db()
    assert office_hours.holidays == []


def test_preview_gives_business_seconds_and_when_they_fall_due(office_hours, reader, api):
    url = (f"calendars/{office_hours.pk}/preview?start=2025-03-07T12:00:00Z"
           "&end=2025-03-10T12:00:00%2B00:00&seconds=28800")

    response = api(reader).get(url)

    assert response.status_code == 200, response.data
    assert response.data["elapsed_seconds"] == 8 * 3600
    assert response.data["due"] == "2025-03-10T12:00:00Z"
    assert response.data["open_intervals"] == [
        ["2025-03-07T12:00:00Z", "2025-03-07T17:00:00Z"],
        ["2025-03-10T09:00:00Z", "2025-03-10T12:00:00Z"],
    ]


def test_preview_refuses_a_time_without_offset(office_hours, reader, api):
    url = f"calendars/{office_hours.pk}/preview?start=2025-03-07T12:00:00&end=2025-03-08T00:00Z"

    response = api(reader).get(url)

    assert response.status_code == 422
    assert response.data["detail"][0]["loc"][-1] == "start"


def test_a_calendar_in_use_cannot_be_deleted(office_hours, admin_user, api):
    services.create(Service, by=None, name="Payroll", calendar=office_hours)

    response = api(admin_user).delete(f"calendars/{office_hours.pk}")

    assert response.status_code == 409
    assert "Payroll" in response.data["detail"][0]["msg"]
    assert Calendar.objects.filter(pk=office_hours.pk).exists()


def test_portal_users_see_only_the_calendars_of_their_customers(
    office_hours, acme, customer_user, slm, admin_user, api
):
    other = calendars.create_calendar(by=None, name="New York", tz="America/New_York",
                                      hours=OFFICE)
    api(slm).patch(f"customers/{acme.pk}", {"calendar": office_hours.pk})

    listing = api(customer_user).get("calendars").data

    assert [c["name"] for c in listing["items"]] == ["London office"]
    assert api(customer_user).get(f"calendars/{other.pk}").status_code == 404
