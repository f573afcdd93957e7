"""The dashboard and the overdue-reviews page."""

from django.utils import timezone

from accord.agreements import versions
from accord.reviews.scheduling import schedule_reviews
from tests.web.conftest import login


def card(html: str, label: str) -> str:
    """The number on the dashboard card called ``label``."""
    start = html.index(f'<div class="l">{label}</div>')
    number = html.index('<div class="n">', start) + len('<div class="n">')
    return html[number:html.index("</div>", number)]


def test_the_dashboard_counts_services_agreements_reviews_and_drafts(client, reader, acme_sla,
                                                                    globex_sla, payments):
    schedule_reviews(timezone.now())  # the worker's step: Acme's review meetings
    login(client, reader)

    html = client.get("/").content.decode()

    assert card(html, "Live services") == "3"  # Web Shop, Payments, Payroll
    assert card(html, "Agreements") == "2"
    # Acme's agreement review (signed 400 days ago, due 35 days ago) is overdue; its
    # performance review of this quarter is neither due this week nor late.
    assert card(html, "Reviews overdue") == "1"
    assert card(html, "Reviews due") == "0"
    assert card(html, "Awaiting signature") == "2"  # Acme v2 and Globex v1
    assert '/agreements/?status=active">' in html and '/agreements/?status=draft">' in html


def test_the_dashboard_lists_drafts_with_who_has_signed(client, slm, acme_sla, globex_sla):
    versions.approve(globex_sla.latest_version(), party="provider", by=slm, now=timezone.now())
    login(client, slm)

    html = client.get("/").content.decode()

    end = html.index("Agreements past their review date</h2>")
    awaiting = html[html.index('id="awaiting"'):end]
    globex_row = awaiting[awaiting.index("Globex Payroll"):]
    globex_row = globex_row[:globex_row.index("</tr>")]
    # sam signed for the provider; Globex has not signed yet.
    assert globex_row.count(">signed<") == 1 and globex_row.count(">pending<") == 1
    assert "Acme Web Shop" in awaiting


def test_the_dashboard_shows_recent_changes_to_staff(client, slm, acme_sla):
    login(client, slm)

    html = client.get("/").content.decode()

    recent = html[html.index("Recent changes"):]
    assert "Status changed" in recent
    assert f'href="/agreements/{acme_sla.pk}/"' in recent


def test_the_overdue_reviews_page_lists_late_agreements(client, analyst, acme_sla, globex_sla):
    login(client, analyst)

    html = client.get("/reviews/overdue/").content.decode()

    assert "Acme Web Shop" in html and "Globex Payroll" not in html
    assert "35 days" in html  # due a year after it took effect, 400 days ago


def test_the_overdue_reviews_page_is_calm_when_nothing_is_late(client, reader, globex_sla):
    login(client, reader)

    html = client.get("/reviews/overdue/").content.decode()
    assert "No agreement is past its review date." in html
    # The page says what it counts: agreements, not review meetings (those are linked).
    assert "<h1>Agreements past their review date</h1>" in html
    assert 'href="/reviews/?show=overdue"' in html
