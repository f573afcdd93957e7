"""A review links the customer feedback, complaints and compliments of its period: counted
and listed on its page, in its pack (read back from the real PDF and XLSX) and in the API;
feedback outside the period or of another agreement is not."""

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from accord.agreements import services as agreement_services
from accord.catalogue.models import Customer
from accord.experience import services as experience
from accord.reviews import reviews
from tests.conftest import NOW

pytestmark = pytest.mark.django_db
MID_MARCH = datetime(2025, 3, 14, 9, tzinfo=UTC)  # inside Acme's March (Asia/Tokyo)


@pytest.fixture(name="review")
def review_fixture(gov, slm):
    enter = dict(by=slm, now=NOW, service=gov["shop"], agreement=gov["sla"])
    experience.enter_by_hand(kind="complaint", text="Checkout failed twice at night",
                             at=MID_MARCH, **enter)
    experience.enter_by_hand(kind="complaint", text="Nobody answered for six hours",
                             at=MID_MARCH.replace(day=20), **enter)
    experience.enter_by_hand(kind="compliment", text="Desk fixed the refund in minutes",
                             at=MID_MARCH.replace(day=22), **enter)
    experience.enter_by_hand(kind="complaint", text="April complaint, next review",
                             at=datetime(2025, 4, 10, tzinfo=UTC), **enter)
    other = agreement_services.create_agreement(
        by=slm, now=NOW, name="Globex Web Shop", kind="sla", structure="customer_based",
        customer=Customer.objects.create(name="Globex"), services=[gov["shop"]],
        effective_from=MID_MARCH.replace(day=1))
    experience.enter_by_hand(kind="complaint", text="Globex complaint, not Acme's",
                             at=MID_MARCH, by=slm, now=NOW, service=gov["shop"],
                             agreement=other)
    return reviews.schedule(agreement=gov["sla"], kind="performance", period="2025-03",
                            due=MID_MARCH.date().replace(month=4), by=slm, now=NOW)


def test_the_review_page_counts_and_lists_the_periods_feedback(client, slm, review):
    client.force_login(slm)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    counts = page[page.index('id="feedback-counts"'):]
    counts = counts[:counts.index("</p>")]
    assert "2025-03: 3 items" in counts
    assert "2 complaints" in counts and "1 compliment" in counts
    assert '/feedback/?kind=complaint' in counts
    listed = page[page.index('id="review-feedback"'):page.index("</table>",
                                                                 page.index("review-feedback"))]
    assert "Checkout failed twice at night" in listed
    assert "Desk fixed the refund in minutes" in listed
    assert "April complaint" not in listed and "Globex complaint" not in listed


def test_the_pack_carries_the_feedback_in_pdf_and_xlsx(slm, review, api):
    pdf = api(slm).get(f"reviews/{review.pk}/pack?format=pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    text = " ".join(text.split())
    assert "Customer feedback, complaints and compliments" in text
    assert "2 complaints, 1 compliment" in text
    assert "Checkout failed twice at night" in text and "Globex complaint" not in text
    xlsx = api(slm).get(f"reviews/{review.pk}/pack?format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content))["Feedback"].iter_rows(
        values_only=True))
    assert rows[0][:3] == ("Feedback of 2025-03", "2 complaints", "1 compliment")
    assert [r[1] for r in rows[2:]] == ["Compliment", "Complaint", "Complaint"]  # newest first
    assert rows[-1][6] == "Checkout failed twice at night" and rows[-1][4] == "Web Shop"


def test_the_api_gives_the_feedback_beside_the_existing_keys(slm, review, api):
    answer = api(slm).get(f"reviews/{review.pk}").data
    assert answer["period"] == "2025-03" and "figures" in answer  # existing keys kept
    assert answer["feedback"]["counts"]["complaint"] == 2
    assert answer["feedback"]["counts"]["compliment"] == 1
    assert answer["feedback"]["total"] == 3
    assert [f["kind"] for f in answer["feedback"]["items"]] == [
        "compliment", "complaint", "complaint"]


def test_a_customer_sees_their_reviews_feedback_and_not_anothers_review(client, gov,
                                                                        customer_user,
                                                                        review):
    gov["acme"].contacts.add(customer_user)
    client.force_login(customer_user)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "Checkout failed twice at night" in page and "Globex complaint" not in page
    gov["acme"].contacts.remove(customer_user)
    Customer.objects.get(name="Globex").contacts.add(customer_user)
    assert client.get(f"/reviews/{review.pk}/").status_code == 404
