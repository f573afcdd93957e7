"""The feedback list page and the complaint/compliment form."""

from accord.accounts import services as accounts
from accord.catalogue.models import Customer
from accord.experience.models import Feedback
from accord.experience.services import ingest_feedback

from .conftest import NOW, item, sign, xla


def test_the_list_shows_a_portal_user_only_their_customers_feedback(client, sla, slm, world):
    xla(sla, slm, measure="csat_average", threshold="4", direction="at_least")
    sign(sla.latest_version(), slm)
    Customer.objects.create(name="Globex")
    ingest_feedback([item(1, score=5, text="Acme likes it", respondent="ann@acme.test"),
                     item(2, score=1, text="Globex hates it", customer="Globex")], now=NOW)
    carl = accounts.create_user("carl", role="customer", password="pw")
    world["acme"].contacts.add(carl)
    client.force_login(carl)
    page = client.get("/feedback/")
    assert b"Acme likes it" in page.content and b"Globex hates it" not in page.content
    client.force_login(slm)
    everything = client.get("/feedback/").content
    assert b"Acme likes it" in everything and b"Globex hates it" in everything


def test_a_service_owner_enters_a_compliment_on_the_page(client, sla, slm, owner, reader,
                                                         world):
    xla(sla, slm, measure="csat_average", threshold="4", direction="at_least")
    sign(sla.latest_version(), slm)
    world["shop"].owner = owner
    world["shop"].save()
    form = {"kind": "compliment", "service": world["shop"].pk, "agreement": sla.pk,
            "text": "Thanks for the weekend rescue"}
    client.force_login(reader)
    assert client.post("/feedback/new/", form).status_code == 403
    client.force_login(owner)
    assert client.post("/feedback/new/", {**form, "text": ""}).status_code == 422
    assert client.post("/feedback/new/", form).status_code == 302
    stored = Feedback.objects.get()
    assert (stored.kind, stored.service, stored.entered_by) == ("compliment", world["shop"],
                                                                 owner)
    assert list(stored.agreements.all()) == [sla]


def test_the_agreement_page_states_the_experience_target(client, sla, slm):
    xla(sla, slm, measure="nps", threshold="-10", direction="at_least", min_responses=20)
    client.force_login(slm)
    page = client.get(f"/agreements/{sla.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "NPS ≥ -10" in text and "per month, ≥ 20 answers" in text
