"""POST /api/v1/feedback, the list and get endpoints, portal scoping."""

import pytest

from accord.accounts import services as accounts
from accord.catalogue.models import Customer
from accord.experience.models import Feedback
from accord.measurement.models import Ticket

from .conftest import item, sign, xla


@pytest.fixture
def signed(sla, slm):
    xla(sla, slm, measure="csat_average", threshold="4", direction="at_least")
    sign(sla.latest_version(), slm)
    sla.refresh_from_db()
    return sla


def test_it_stores_one_object_and_reports_each_items_status(api, analyst, signed, world):
    r = api(analyst).post("feedback", item(1, score=4, text="quick fix"))
    assert r.status_code == 200, r.data
    assert r.data["stored"] == 1
    assert r.data["results"][0]["id"] == "F1" and r.data["results"][0]["status"] == "stored"
    stored = Feedback.objects.get(source="desk", feedback_id="F1")
    # It belongs to the SLAs covering its service and customer (no ticket, so no clocks).
    assert set(stored.agreements.all()) == {signed, world["sla"]}


def test_a_batch_is_audited_once_per_source_like_the_event_ingest(api, analyst, signed):
    from accord.accounts.models import AuditEntry

    client = api(analyst)
    client.post("feedback", [item(1, score=4), item(2, score=2), item(3, score=5, source="nps")])
    client.post("feedback", [item(1, score=4)])  # a duplicate stores nothing: no audit row

    # Not one row per answer (a survey feed would flood the trail): one per source and batch.
    rows = AuditEntry.objects.filter(content_type__model="feedback").order_by("message")
    assert [(r.action, r.actor, r.message) for r in rows] == [
        ("import", analyst.username,
         "1 feedback items stored from nps (0 duplicates, 0 conflicts, 0 rejected in the batch)"),
        ("import", analyst.username,
         "2 feedback items stored from desk (0 duplicates, 0 conflicts, 0 rejected in the batch)"),
    ]


def test_it_is_idempotent_and_keeps_the_stored_record_on_a_conflict(api, analyst, signed):
    client = api(analyst)
    client.post("feedback", [item(1, score=4), item(2, score=2)])
    r = client.post("feedback", [item(1, score=4), item(2, score=5), item(3, score=3)])
    assert [x["status"] for x in r.data["results"]] == ["duplicate", "conflict", "stored"]
    assert (r.data["duplicates"], r.data["conflicts"], r.data["stored"]) == (1, 1, 1)
    assert Feedback.objects.get(feedback_id="F2").score == 2  # the stored record is kept
    assert Feedback.objects.count() == 3


@pytest.mark.parametrize(("kind", "score", "scale"), [
    ("csat", 6, None), ("csat", 0, None), ("ces", 8, None), ("nps", 11, None),
    ("nps", -1, None), ("csat", 6, 5)])
def test_it_rejects_a_score_outside_its_scale_naming_score(api, analyst, signed, kind, score,
                                                           scale):
    body = item(1, kind=kind, score=score)
    if scale:
        body["scale"] = scale
    r = api(analyst).post("feedback", body)
    result = r.data["results"][0]
    assert result["status"] == "rejected"
    assert result["errors"][0]["field"] == "score"
    assert not Feedback.objects.exists()


def test_it_accepts_the_ends_of_each_scale(api, analyst, signed):
    r = api(analyst).post("feedback", [item(1, "csat", 1), item(2, "csat", 5), item(3, "ces", 7),
                                       item(4, "nps", 0), item(5, "nps", 10),
                                       item(6, "csat", 10, scale=10)])
    assert r.data["stored"] == 6, r.data


@pytest.mark.parametrize(("body", "field"), [
    ({"id": "x", "timestamp": "2025-03-01T10:00:00Z", "kind": "csat"}, "score"),
    ({"id": "x", "timestamp": "2025-03-01T10:00:00", "kind": "comment"}, "timestamp"),
    ({"id": "x", "kind": "comment"}, "timestamp"),
    ({"timestamp": "2025-03-01T10:00:00Z", "kind": "comment"}, "id"),
    ({"id": "x", "timestamp": "2025-03-01T10:00:00Z", "kind": "rant"}, "kind"),
    ({"id": "x", "timestamp": "2025-03-01T10:00:00Z", "kind": "comment", "service": "Nope"},
     "service"),
    ({"id": "x", "timestamp": "2025-03-01T10:00:00Z", "kind": "comment", "ticket_id": "T9"},
     "ticket_id"),
    ({"id": "x", "timestamp": "2025-03-01T10:00:00Z", "kind": "comment", "mood": "ok"}, "mood"),
])
def test_it_rejects_bad_items_naming_the_field(api, analyst, signed, body, field):
    r = api(analyst).post("feedback", body)
    assert r.data["results"][0]["status"] == "rejected"
    assert r.data["results"][0]["errors"][0]["field"] == field
    assert not Feedback.objects.exists()


def test_it_looks_the_ticket_up_within_ticket_source(api, analyst, signed, world):
    Ticket.objects.create(source="jira", ticket_id="T-1", service=world["shop"],
                          customer=world["acme"])
    Ticket.objects.create(source="desk", ticket_id="T-1")
    r = api(analyst).post("feedback", [
        {"source": "survey-tool", "id": "a", "timestamp": "2025-03-02T10:00:00Z",
         "kind": "comment", "ticket_id": "T-1", "ticket_source": "jira"},
        {"source": "desk", "id": "b", "timestamp": "2025-03-02T10:00:00Z", "kind": "comment",
         "ticket_id": "T-1"}])
    assert r.data["stored"] == 2, r.data
    a = Feedback.objects.get(feedback_id="a")
    assert a.ticket.source == "jira" and a.service == world["shop"]  # taken from the ticket
    assert Feedback.objects.get(feedback_id="b").ticket.source == "desk"


def test_readers_may_not_post(api, reader, signed):
    assert api(reader).post("feedback", item(1, score=3)).status_code == 403


def test_portal_users_see_only_their_customers_feedback(api, analyst, signed, world):
    other = Customer.objects.create(name="Globex")
    api(analyst).post("feedback", [item(1, score=5, respondent="ann@acme.test"),
                                   item(2, score=1, customer="Globex",
                                        respondent="bob@globex.test")])
    carl = accounts.create_user("carl", role="customer", password="pw")
    world["acme"].contacts.add(carl)
    gail = accounts.create_user("gail", role="customer", password="pw")
    other.contacts.add(gail)
    mine = api(carl).get("feedback").data
    assert [f["id"] for f in mine["items"]] == ["F1"]
    assert mine["items"][0]["respondent"] == "ann@acme.test"
    assert api(gail).get("feedback/desk/F1").status_code == 404
    theirs = api(gail).get("feedback").data["items"]
    assert [f["id"] for f in theirs] == ["F2"]
    # Staff see everything, with the respondent.
    everything = api(analyst).get("feedback").data
    assert everything["count"] == 2
    got = api(analyst).get("feedback/desk/F2").data
    assert got["respondent"] == "bob@globex.test" and got["score"] == 1
    assert set(got) >= {"source", "id", "ticket_id", "ticket_source", "service", "customer",
                        "timestamp", "kind", "score", "scale", "text", "respondent",
                        "channel"}


def test_a_service_owner_enters_a_complaint_by_hand(api, owner, reader, signed, world):
    world["shop"].owner = owner
    world["shop"].save()
    body = {"kind": "complaint", "service": "Web Shop", "agreement": signed.reference,
            "text": "Checkout lost my basket twice"}
    assert api(reader).post("feedback/by-hand", body).status_code == 403
    r = api(owner).post("feedback/by-hand", body)
    assert r.status_code == 201, r.data
    stored = Feedback.objects.get()
    assert stored.kind == "complaint" and stored.entered_by == owner
    assert list(stored.agreements.all()) == [signed]
    bad = api(owner).post("feedback/by-hand", {**body, "kind": "csat"})
    assert bad.status_code == 422 and bad.data["field"] == "kind" if "field" in (
        bad.data or {}) else bad.status_code == 422


def test_a_large_batch_is_read_whole_and_a_bad_body_is_422(api, analyst, signed):
    client = api(analyst)
    many = [item(n, score=3, text="x" * 400) for n in range(8000)]  # > 2.5 MB of JSON
    r = client.post("feedback", many)
    assert r.status_code == 200 and r.data["stored"] == 8000
    assert client.post("feedback", "just text").status_code == 422
