# ruff: noqa: F811 (fixtures imported from the other browser and clock page tests)
"""The reports in a real browser (Playwright driving Debian's Chromium): the dashboard's
figures, a report opened from the reports page, its PDF downloaded, and a customer turned
away from another customer's report. Screenshots go to the test's tmp directory."""

from datetime import timedelta
from io import BytesIO

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.web.test_browser import browser, pytestmark, signed_in  # noqa: F401  (fixture, mark)
from tests.web.test_clock_pages import acme_24x7, ingest, ticket  # noqa: F401


def month_label():
    return timezone.now().strftime("%Y-%m")


def test_an_slm_reads_the_dashboard_and_downloads_a_report(browser, live_server, slm,
                                                          acme_24x7, tmp_path):
    now = timezone.now()
    ingest(ticket("INC-over", now - timedelta(minutes=90), priority="P2"),
           ticket("INC-fast", now - timedelta(minutes=50), (10, "resolved", "Resolved"),
                  priority="P2"))
    with signed_in(browser, live_server, "sam") as page:
        compliance = page.locator("#compliance")
        expect(compliance).to_contain_text("Acme round the clock")
        expect(compliance.locator("svg.trend title")).to_contain_text("SLA clocks met")
        expect(page.locator(".card", has_text="SLA breaches this month")).to_contain_text("1")
        page.screenshot(path=tmp_path / "dashboard.png", full_page=True)

        page.get_by_role("link", name="Reports", exact=True).click()
        page.select_option("#id_agreement", str(acme_24x7.pk))
        page.fill("#id_period", month_label())
        page.get_by_role("button", name="Show report").click()
        report = page.locator("article.service-report")
        expect(report.locator("h1")).to_have_text(f"{acme_24x7.reference} Acme round the clock")
        expect(report).to_contain_text("missed its objective")
        expect(report).to_contain_text("INC-over")
        page.screenshot(path=tmp_path / "report.png", full_page=True)

        with page.expect_download() as info:
            page.get_by_role("link", name="PDF").click()
        download = info.value
        assert download.suggested_filename == f"{acme_24x7.reference}-{month_label()}.pdf"
        pdf = PdfReader(BytesIO(open(download.path(), "rb").read()))
        text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
        assert acme_24x7.reference in text and "INC-over" in text


def test_a_customer_is_refused_another_customers_report(browser, live_server, customer_user,
                                                        acme_24x7, globex_sla, tmp_path):
    with signed_in(browser, live_server, "carl") as page:
        page.goto(f"{live_server.url}/reports/")
        options = page.locator("#id_agreement option")
        expect(options).to_have_count(1)
        expect(options).to_have_text(f"{acme_24x7.reference} Acme round the clock")

        answer = page.goto(f"{live_server.url}/reports/?agreement={globex_sla.pk}"
                           f"&period={month_label()}")
        assert answer.status == 404
        answer = page.request.get(f"{live_server.url}/reports/{globex_sla.pk}/"
                                  f"{month_label()}.pdf")
        assert answer.status == 404
        page.screenshot(path=tmp_path / "refused.png")
