"""The reports page: pick an agreement and period, read the report, download each format;
portal users reach exactly their own agreements' reports."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.web.conftest import login


def test_it_shows_the_report_of_the_chosen_agreement_and_period(client, slm, acme_sla):
    response = login(client, slm).get(f"/reports/?agreement={acme_sla.pk}&period=2025-03")

    assert response.status_code == 200
    html = response.content.decode()
    assert f"{acme_sla.reference} Acme Web Shop" in html
    assert "Monthly service report · March 2025" in html
    for fmt in ("pdf", "xlsx", "html"):
        assert f'/reports/{acme_sla.pk}/2025-03.{fmt}"' in html


def test_a_bad_period_is_a_422_naming_the_field(client, slm, acme_sla):
    response = login(client, slm).get(f"/reports/?agreement={acme_sla.pk}&period=2025-13")

    assert response.status_code == 422
    assert "period must be 2025-03, 2025-Q1 or 2025" in response.content.decode()
    assert login(client, slm).get(f"/reports/{acme_sla.pk}/March.pdf").status_code == 422


def test_it_downloads_the_pdf_with_the_agreement_reference(client, slm, acme_sla):
    response = login(client, slm).get(f"/reports/{acme_sla.pk}/2025-03.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{acme_sla.reference}-2025-03.pdf"')
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    assert acme_sla.reference in text


def test_it_downloads_the_workbook(client, slm, acme_sla):
    response = login(client, slm).get(f"/reports/{acme_sla.pk}/2025-Q1.xlsx")

    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["Agreement"] == acme_sla.reference
    assert summary["Period"] == "2025-Q1"


@pytest.mark.parametrize("url", ["/reports/?agreement={pk}&period=2025-03",
                                 "/reports/{pk}/2025-03.pdf", "/reports/{pk}/2025-03.xlsx",
                                 "/reports/{pk}/2025-03.html"])
def test_a_customer_cannot_open_another_customers_report(client, customer_user, acme_sla,
                                                         globex_sla, url):
    client = login(client, customer_user)

    assert client.get(url.format(pk=globex_sla.pk)).status_code == 404
    assert client.get(url.format(pk=acme_sla.pk)).status_code == 200


def test_a_customer_picks_only_from_their_own_agreements(client, customer_user, acme_sla,
                                                         globex_sla):
    html = login(client, customer_user).get("/reports/").content.decode()

    assert acme_sla.reference in html
    assert globex_sla.reference not in html


def test_an_unknown_agreement_or_format_is_a_404(client, slm, acme_sla):
    client = login(client, slm)
    assert client.get("/reports/?agreement=999999&period=2025-03").status_code == 404
    assert client.get("/reports/?agreement=abc&period=2025-03").status_code == 404
    assert client.get(f"/reports/{acme_sla.pk}/2025-03.docx").status_code == 404


def test_it_downloads_the_compliance_json_and_csv(client, slm, acme_sla):
    client = login(client, slm)

    data = client.get(f"/reports/{acme_sla.pk}/2025-03.json").json()
    assert data["agreement"] == acme_sla.reference
    assert data["period_label"] == "2025-03"
    csv = client.get(f"/reports/{acme_sla.pk}/2025-03.csv")
    assert csv["Content-Disposition"] == (
        f'attachment; filename="{acme_sla.reference}-2025-03.csv"')
    assert csv.content.startswith(b"report,agreement")


def test_the_service_page_loads_its_agreements_compliance(client, reader, acme_sla,
                                                          web_shop):
    client = login(client, reader)

    page = client.get(f"/services/{web_shop.pk}/").content.decode()
    assert f'hx-get="/reports/services/{web_shop.pk}/"' in page
    html = client.get(f"/reports/services/{web_shop.pk}/").content.decode()
    assert f"{acme_sla.reference} Acme Web Shop" in html
    assert "no data" in html  # no clock yet: neither met nor missed


def test_a_customer_cannot_see_another_customers_service_figures(client, customer_user,
                                                                acme_sla, globex_sla,
                                                                payroll):
    assert login(client, customer_user).get(f"/reports/services/{payroll.pk}/").status_code \
        == 404
