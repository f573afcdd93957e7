"""Catalogue pages: lists with filters, service detail, who may edit a service, and
calendars that only administrators change."""

from accord.accounts.models import AuditEntry
from accord.catalogue import services as catalogue
from accord.catalogue.models import Calendar, Service, Supplier, Team
from tests.web.conftest import login


def test_the_services_list_filters_by_status_criticality_and_name(client, reader, web_shop,
                                                                 payroll):
    catalogue.create(Service, by=None, name="Data Warehouse", criticality=3)
    login(client, reader)

    def names(query):
        html = client.get(f"/services/?{query}").content.decode()
        return {n for n in ("Web Shop", "Payroll", "Data Warehouse") if f">{n}</a>" in html}

    assert names("") == {"Web Shop", "Payroll", "Data Warehouse"}
    assert names("status=pipeline") == {"Data Warehouse"}
    assert names("criticality=1") == {"Web Shop"}
    assert names("q=pay") == {"Payroll"}
    # A nonsense filter value is ignored rather than failing the page.
    assert names("criticality=nine") == {"Web Shop", "Payroll", "Data Warehouse"}


def test_the_service_page_shows_owner_dependencies_agreements_and_history(client, reader,
                                                                         web_shop, payments,
                                                                         acme_sla):
    login(client, reader)

    html = client.get(f"/services/{web_shop.pk}/").content.decode()

    assert "oscar" in html and "1 – critical" in html and "London office" in html
    # The dependency tree goes through Payments down to its database.
    tree = html[html.index("Depends on"):html.index('id="history"')]
    assert tree.index("Payments") < tree.index("db1")
    assert f'href="/agreements/{acme_sla.pk}/"' in html
    assert "added dependency on Payments" in html
    # Readers may look, not edit.
    assert "Edit service" not in html


def test_a_service_owner_edits_their_own_service(client, owner, web_shop):
    login(client, owner)
    page = client.get(f"/services/{web_shop.pk}/")
    assert "Edit service" in page.content.decode()

    response = client.post(f"/services/{web_shop.pk}/edit", {
        "name": "Web Shop", "description": "Sells things", "criticality": "2",
        "status": "live", "calendar": str(web_shop.calendar_id),
    })

    assert response.status_code == 302
    web_shop.refresh_from_db()
    assert web_shop.criticality == 2 and web_shop.description == "Sells things"
    entry = AuditEntry.objects.filter(object_id=str(web_shop.pk), actor="oscar").get()
    assert entry.changes["criticality"] == [1, 2]


def test_a_service_owner_cannot_edit_another_owners_service(client, owner, payroll):
    login(client, owner)

    assert "Edit service" not in client.get(f"/services/{payroll.pk}/").content.decode()
    assert client.get(f"/services/{payroll.pk}/edit").status_code == 403
    response = client.post(f"/services/{payroll.pk}/edit", {
        "name": "Hijacked", "criticality": "4", "status": "live"})

    assert response.status_code == 403
    payroll.refresh_from_db()
    assert payroll.name == "Payroll" and payroll.criticality == 2


def test_a_service_owner_cannot_hand_their_service_to_someone_else(client, owner, olga,
                                                                   web_shop):
    login(client, owner)

    client.post(f"/services/{web_shop.pk}/edit", {
        "name": "Web Shop", "criticality": "1", "status": "live", "owner": str(olga.pk)})

    web_shop.refresh_from_db()
    assert web_shop.owner == owner


def test_an_slm_reassigns_a_service_and_a_reader_may_not_edit(client, slm, reader, olga,
                                                               web_shop):
    login(client, reader)
    assert client.post(f"/services/{web_shop.pk}/edit", {
        "name": "X", "criticality": "1", "status": "live"}).status_code == 403

    login(client, slm)
    client.post(f"/services/{web_shop.pk}/edit", {
        "name": "Web Shop", "criticality": "1", "status": "live", "owner": str(olga.pk)})

    web_shop.refresh_from_db()
    assert web_shop.owner == olga


def test_a_refused_edit_names_the_field_and_changes_nothing(client, slm, web_shop, payroll,
                                                            payments):
    login(client, slm)

    # Another service already has the name.
    response = client.post(f"/services/{web_shop.pk}/edit", {
        "name": "payroll", "criticality": "1", "status": "live"})
    assert response.status_code == 422
    assert "already exists" in response.content.decode()

    # A live service that others depend on cannot retire.
    response = client.post(f"/services/{payments.pk}/edit", {
        "name": "Payments", "criticality": "1", "status": "retired"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "cannot retire: live services depend on it (Web Shop)" in html
    web_shop.refresh_from_db()
    payments.refresh_from_db()
    assert web_shop.name == "Web Shop" and payments.status == "live"


def test_the_party_lists_show_customers_teams_suppliers_and_components(client, reader, acme,
                                                                      payments):
    Team.objects.create(name="Service Desk", email="desk@example.com")
    Supplier.objects.create(name="CloudHost")
    login(client, reader)

    assert "Acme" in client.get("/customers/").content.decode()
    assert "desk@example.com" in client.get("/teams/").content.decode()
    assert "CloudHost" in client.get("/suppliers/").content.decode()
    components = client.get("/components/?kind=database").content.decode()
    assert "db1" in components and "Database" in components
    assert "db1" not in client.get("/components/?kind=server").content.decode()


def test_a_calendar_shows_hours_holidays_and_exceptions(client, reader, office_hours):
    Calendar.objects.filter(pk=office_hours.pk).update(
        holidays=["2025-08-01"], exceptions={"2025-12-24": [["09:00", "12:00"]]})
    login(client, reader)

    html = client.get(f"/calendars/{office_hours.pk}/").content.decode()

    assert "Europe/London" in html
    assert "<th>Monday</th><td>09:00–17:00</td>" in html
    assert "<th>Sunday</th><td class=\"muted\">closed</td>" in html
    assert "Christmas Day" in html  # GB-ENG public holidays
    assert "2025-08-01" in html and "2025-12-24" in html and "09:00–12:00" in html
    assert "Edit calendar" not in html
    listing = client.get("/calendars/").content.decode()
    assert "Mon–Fri 09:00–17:00" in listing


def test_only_an_administrator_edits_a_calendar(client, slm, admin_user, office_hours):
    login(client, slm)
    assert client.get(f"/calendars/{office_hours.pk}/edit").status_code == 403
    assert client.post(f"/calendars/{office_hours.pk}/edit", {"name": "x"}).status_code == 403

    login(client, admin_user)
    assert "Edit calendar" in client.get(f"/calendars/{office_hours.pk}/").content.decode()
    response = client.post(f"/calendars/{office_hours.pk}/edit", {
        "name": "London office", "tz": "Europe/London", "country": "GB", "subdivision": "ENG",
        "hours_mon": "08:00-12:00, 13:00-18:00", "hours_tue": "09:00-17:00",
        "holidays": "2025-08-01\n", "exceptions": "2025-12-24 09:00-12:00\n2025-12-27 closed",
    })

    assert response.status_code == 302
    office_hours.refresh_from_db()
    assert office_hours.hours == {"mon": [["08:00", "12:00"], ["13:00", "18:00"]],
                                  "tue": [["09:00", "17:00"]]}
    assert office_hours.exceptions == {"2025-12-24": [["09:00", "12:00"]], "2025-12-27": []}
    assert office_hours.version == 2
    assert AuditEntry.objects.filter(object_id=str(office_hours.pk), actor="ada").exists()


def test_a_refused_calendar_edit_names_the_field(client, admin_user, office_hours):
    login(client, admin_user)

    bad_zone = client.post(f"/calendars/{office_hours.pk}/edit", {
        "name": "London office", "tz": "Mars/Olympus", "hours_mon": "09:00-17:00"})
    bad_hours = client.post(f"/calendars/{office_hours.pk}/edit", {
        "name": "London office", "tz": "Europe/London", "hours_mon": "nine to five"})

    assert bad_zone.status_code == 422
    assert "is not an IANA time zone" in bad_zone.content.decode()
    assert bad_hours.status_code == 422
    assert "Monday: write opening hours as 09:00-17:00" in bad_hours.content.decode()
    office_hours.refresh_from_db()
    assert office_hours.tz == "Europe/London" and office_hours.version == 1
