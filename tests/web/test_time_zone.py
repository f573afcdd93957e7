"""Dates in the viewer's zone: the user's own setting, else the browser's, else UTC; every page
says which zone its dates are in."""

from datetime import UTC, datetime

import pytest

from accord.accounts import services as accounts
from accord.accounts.choices import AuditAction
from accord.accounts.models import AuditEntry
from accord.lib.errors import InvalidInput
from tests.web.conftest import login

NOON_UTC = datetime(2025, 3, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
def change_at_noon(slm, web_shop):
    """One audit row at 12:00 UTC, shown in the dashboard's "Recent changes"."""
    entry = accounts.record_change(slm, web_shop, AuditAction.UPDATE, changes={"x": [1, 2]},
                                   message="noon change")
    AuditEntry.objects.filter(pk=entry.pk).update(at=NOON_UTC)
    AuditEntry.objects.exclude(pk=entry.pk).delete()
    return entry


def test_it_shows_utc_when_nothing_says_otherwise(client, slm, change_at_noon):
    html = login(client, slm).get("/").content.decode()

    assert "When (UTC)" in html
    assert "2025-03-07 12:00" in html


def test_it_shows_the_browsers_zone(client, slm, change_at_noon):
    client.cookies["accord_tz"] = "Asia/Tokyo"

    html = login(client, slm).get("/").content.decode()

    assert "When (Asia/Tokyo)" in html
    assert "2025-03-07 21:00" in html  # 12:00 UTC is 21:00 in Tokyo
    assert "2025-03-07 12:00" not in html


def test_the_users_own_setting_wins_over_the_browser(client, slm, change_at_noon):
    accounts.set_time_zone(slm, "America/New_York", by=slm)
    client.cookies["accord_tz"] = "Asia/Tokyo"

    html = login(client, slm).get("/").content.decode()

    assert "When (America/New_York)" in html
    assert "2025-03-07 07:00" in html  # EST, UTC-5


def test_a_zone_the_server_does_not_know_falls_back_to_utc(client, slm, change_at_noon):
    client.cookies["accord_tz"] = "Mars/Olympus_Mons"

    html = login(client, slm).get("/").content.decode()

    assert "When (UTC)" in html and "2025-03-07 12:00" in html


def test_a_user_sets_their_zone_on_their_settings_page(client, reader):
    login(client, reader)
    page = client.get("/settings/")
    assert page.status_code == 200
    assert 'name="time_zone"' in page.content.decode()

    response = client.post("/settings/", {"time_zone": "Europe/Paris"})

    assert response.status_code == 302 and response["Location"] == "/settings/"
    reader.refresh_from_db()
    assert reader.time_zone == "Europe/Paris"
    entry = AuditEntry.objects.filter(object_id=str(reader.pk), action=AuditAction.UPDATE).get()
    assert entry.changes == {"time_zone": ["", "Europe/Paris"]}
    assert "Dates are shown in <strong id=\"active-tz\">Europe/Paris</strong> (your setting)" \
        in client.get("/settings/").content.decode()

    # Back to the browser's zone.
    client.post("/settings/", {"time_zone": ""})
    reader.refresh_from_db()
    assert reader.time_zone == ""


def test_an_unknown_zone_is_refused_next_to_the_field(client, reader):
    accounts.set_time_zone(reader, "Europe/Paris", by=reader)
    login(client, reader)

    response = client.post("/settings/", {"time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "has-error" in html and "Mars/Olympus_Mons" in html
    reader.refresh_from_db()
    assert reader.time_zone == "Europe/Paris"  # nothing changed


def test_the_service_refuses_an_unknown_zone_naming_the_field(reader):
    with pytest.raises(InvalidInput) as refused:
        accounts.set_time_zone(reader, "Europe/Atlantis", by=reader)

    assert refused.value.field == "time_zone"
    reader.refresh_from_db()
    assert reader.time_zone == ""


def test_the_settings_page_needs_a_signed_in_user(client, db):
    response = client.get("/settings/")

    assert response.status_code == 302 and response["Location"] == "/login/?next=/settings/"
