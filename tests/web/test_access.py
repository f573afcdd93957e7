"""Who may open which page: sign-in first, portal users scoped to their own agreements."""

from accord.catalogue.models import Service
from tests.web.conftest import login


def test_every_page_asks_anonymous_visitors_to_sign_in(client, acme_sla, web_shop, office_hours):
    pages = ["/", "/services/", f"/services/{web_shop.pk}/", f"/services/{web_shop.pk}/edit",
             "/components/", "/customers/", "/teams/", "/suppliers/", "/calendars/",
             f"/calendars/{office_hours.pk}/", "/agreements/", f"/agreements/{acme_sla.pk}/",
             f"/agreements/{acme_sla.pk}/compare", "/reviews/overdue/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/login/?next={url}"
    # A POST is turned away before it can change anything.
    response = client.post(f"/agreements/{acme_sla.pk}/transition", {"to": "under_review"})
    assert response.status_code == 302
    acme_sla.refresh_from_db()
    assert acme_sla.status == "active"


def test_the_health_check_and_the_login_page_are_open(client, db):
    assert client.get("/health").json()["status"] == "ok"
    response = client.get("/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_it_signs_in_with_the_login_form_and_lands_on_the_dashboard(client, reader):
    response = client.post("/login/", {"username": "rita", "password": "pw"}, follow=True)

    assert response.redirect_chain[-1][0] == "/"
    assert b"Service level overview" in response.content


def test_a_wrong_password_is_refused(client, reader):
    response = client.post("/login/", {"username": "rita", "password": "nope"})

    assert response.status_code == 200
    assert "didn't match" in response.content.decode()


def test_the_navigation_follows_the_role(client, reader, slm, customer_user, acme):
    def nav(user):
        login(client, user)
        html = client.get("/").content.decode()
        return html[html.index("<nav>"):html.index("</nav>")]

    staff_menu = nav(slm)
    for label in ("Dashboard", "Services", "Agreements", "Calendars",
                  "Agreements past review date",
                  "Admin", "API docs"):
        assert label in staff_menu
    assert "/api/v1/docs" in staff_menu
    # Readers follow along but have no back office.
    assert "Admin" not in nav(reader)
    # Portal users see their agreements, not the provider's catalogue or review backlog.
    portal_menu = nav(customer_user)
    assert "Agreements" in portal_menu
    assert "Services" not in portal_menu and "past review date" not in portal_menu


def test_a_portal_customer_sees_only_its_own_agreements(client, customer_user, acme_sla,
                                                        globex_sla):
    login(client, customer_user)

    listing = client.get("/agreements/").content.decode()
    assert "Acme Web Shop" in listing and "Globex Payroll" not in listing
    own = client.get(f"/agreements/{acme_sla.pk}/")
    assert own.status_code == 200
    # The provider's audit trail of the agreement is for staff only.
    assert 'id="history"' not in own.content.decode()
    # Someone else's agreement does not exist as far as carl can tell.
    assert client.get(f"/agreements/{globex_sla.pk}/").status_code == 404
    assert client.get(f"/agreements/{globex_sla.pk}/compare").status_code == 404
    assert client.post(f"/agreements/{globex_sla.pk}/transition",
                       {"to": "terminated", "reason": "x"}).status_code == 404
    assert client.post(f"/agreements/{globex_sla.pk}/versions/1/approve",
                       {"party": "counterparty"}).status_code == 404


def test_a_portal_customer_does_not_browse_the_catalogue(client, customer_user, acme_sla):
    login(client, customer_user)
    web_shop = Service.objects.get(name="Web Shop")

    assert client.get(f"/services/{web_shop.pk}/").status_code == 404
    assert "Web Shop" not in client.get("/services/").content.decode()
    # The agreement still names its service, without a link into the catalogue.
    detail = client.get(f"/agreements/{acme_sla.pk}/").content.decode()
    assert "Web Shop" in detail
    assert f'href="/services/{web_shop.pk}/"' not in detail


def test_a_portal_customer_dashboard_counts_only_its_own_agreements(client, customer_user,
                                                                    acme_sla, globex_sla):
    login(client, customer_user)

    html = client.get("/").content.decode()

    assert "Acme Web Shop" in html and "Globex" not in html
    # The provider's audit trail of everything is for staff only.
    assert "Recent changes" not in html
