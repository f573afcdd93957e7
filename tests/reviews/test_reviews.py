"""Reviews: scheduling per cadence, reminders (controlled time), figures frozen at opening
(unchanged by later clocks; the review says today's differ), closing needs minutes and a
decision, a closed review is read-only (corrections are new, audited decisions), verdicts
applied to the agreement's draft version, the pack as PDF and XLSX (API and CLI)."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command

from accord.accounts.models import AuditEntry
from accord.agreements.models import Agreement
from accord.escalation.models import Notification
from accord.reviews import scheduling
from accord.reviews.models import Review
from tests.reporting.conftest import MARCH_START, clock

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def march_clocks(gov):
    for i in range(3):
        start = MARCH_START + (i + 1) * DAY
        clock(gov["p1"], "met", start, stopped=start + timedelta(hours=1))
    clock(gov["p1"], "breached", MARCH_START + 5 * DAY)


def scheduled(api, slm, **extra):
    body = {"agreement": Agreement.objects.get(name="Acme Web Shop").reference,
            "kind": "performance", "period": "2025-03", "due": "2025-04-10", **extra}
    return api(slm).post("reviews", body)


def p1(figures, gov):
    return next(r for r in figures["targets"] if r["target"] == gov["p1"].pk)


def test_figures_are_frozen_when_the_review_opens(gov, slm, api):
    march_clocks(gov)
    review = scheduled(api, slm).data
    opened = api(slm).post(f"reviews/{review['id']}/open")
    assert opened.status_code == 200, opened.data
    assert opened.data["status"] == "open"
    assert p1(opened.data["figures"], gov)["breached"] == 1
    assert opened.data["figures_differ"] is False
    # A late clock is recomputed into March: the held review keeps its figures.
    clock(gov["p1"], "breached", MARCH_START + 9 * DAY)
    again = api(slm).get(f"reviews/{review['id']}").data
    assert p1(again["figures"], gov)["breached"] == 1
    assert again["figures_differ"] is True


def test_closing_needs_minutes_and_a_decision(gov, slm, api):
    review = scheduled(api, slm).data
    rid = review["id"]
    api(slm).post(f"reviews/{rid}/open")
    no_minutes = api(slm).post(f"reviews/{rid}/close")
    assert no_minutes.status_code == 422 and "minutes" in str(no_minutes.data["detail"])
    api(slm).patch(f"reviews/{rid}", {"minutes": "P1 breaches discussed.",
                                      "attendees": [{"name": "Sam", "party": "provider"},
                                                    {"name": "Pat", "party": "customer"}]})
    no_decision = api(slm).post(f"reviews/{rid}/close")
    assert no_decision.status_code == 422 and "decisions" in str(no_decision.data["detail"])
    decided = api(slm).post(f"reviews/{rid}/decisions", {
        "who": "Sam and Pat", "what": "Keep P1; a runbook action", "when": "2025-04-09"})
    assert decided.status_code == 201, decided.data
    closed = api(slm).post(f"reviews/{rid}/close")
    assert closed.status_code == 200, closed.data
    assert closed.data["status"] == "closed" and closed.data["decisions"][0]["who"] == "Sam and Pat"
    # Read-only now: edits and new decisions are refused, corrections are new entries.
    assert api(slm).patch(f"reviews/{rid}", {"minutes": "rewritten"}).status_code == 409
    assert api(slm).post(f"reviews/{rid}/decisions", {"who": "Sam", "what": "more"}
                         ).status_code == 409
    fixed = api(slm).post(f"reviews/{rid}/decisions", {
        "who": "Sam", "what": "Pat was not there; Quinn was",
        "corrects": decided.data["id"]})
    assert fixed.status_code == 201 and fixed.data["corrects"] == decided.data["id"]
    assert Review.objects.get().minutes == "P1 breaches discussed."
    assert AuditEntry.objects.filter(content_type__model="decision").count() == 2


def test_who_runs_reviews(gov, reader, analyst, slm, customer_user, api):
    assert scheduled(api, reader).status_code == 403
    assert scheduled(api, analyst).status_code == 403
    rid = scheduled(api, slm).data["id"]
    # Analysts record minutes, they do not open or close.
    assert api(analyst).patch(f"reviews/{rid}", {"minutes": "draft"}).status_code == 200
    assert api(analyst).post(f"reviews/{rid}/open").status_code == 403
    assert api(reader).patch(f"reviews/{rid}", {"minutes": "x"}).status_code == 403
    # A customer contact reads their agreement's reviews; another customer does not.
    gov["acme"].contacts.add(customer_user)
    assert api(customer_user).get(f"reviews/{rid}").status_code == 200
    assert api(customer_user).post(f"reviews/{rid}/open").status_code == 403
    gov["acme"].contacts.remove(customer_user)
    assert api(customer_user).get(f"reviews/{rid}").status_code == 404


@pytest.mark.parametrize("override, field", [
    ({"period": "2025-13"}, "period"), ({"kind": "weekly"}, "kind"),
    ({"agreement": "SLA-9999"}, "agreement"), ({"due": "soon"}, "due")])
def test_bad_review_input_names_the_field(gov, slm, api, override, field):
    answer = scheduled(api, slm, **override)
    assert answer.status_code == 422 and field in str(answer.data["detail"])
    assert not Review.objects.exists()


def test_verdicts_go_to_the_one_draft_version(gov, slm, api):
    rid = scheduled(api, slm).data["id"]
    api(slm).post(f"reviews/{rid}/open")
    tighter = api(slm).post(f"reviews/{rid}/verdicts", {
        "target": gov["p1"].pk, "verdict": "tighten", "objective_percent": 95})
    assert tighter.status_code == 201, tighter.data
    assert tighter.data["draft_version"] == 2
    retired = api(slm).post(f"reviews/{rid}/verdicts", {"target": gov["p2"].pk,
                                                        "verdict": "retire"})
    assert retired.data["draft_version"] == 2  # the same draft, not another
    draft = gov["sla"].draft_version()
    assert [(t.priority, float(t.objective_percent)) for t in draft.targets.all()] == [
        ("P1", 95.0)]
    # The signed version is untouched.
    assert gov["p1"].version.targets.count() == 2
    wrong = api(slm).post(f"reviews/{rid}/verdicts", {
        "target": gov["p1"].pk, "verdict": "relax", "objective_percent": 99})
    assert wrong.status_code == 422 and "objective_percent" in str(wrong.data["detail"])
    kept = api(slm).post(f"reviews/{rid}/verdicts", {"target": gov["p1"].pk,
                                                     "verdict": "keep"})
    assert kept.status_code == 201 and kept.data["draft_version"] is None


def test_actions_raised_from_a_review(gov, slm, api):
    rid = scheduled(api, slm).data["id"]
    made = api(slm).post(f"reviews/{rid}/actions", {"title": "Runbook for P1"})
    assert made.status_code == 201, made.data
    assert made.data["review"] == rid and made.data["owner"] == "sam"
    also = api(slm).post("actions", {"title": "Train desk", "owner": "sam",
                                     "due": "2025-05-01", "review": rid})
    assert also.data["review"] == rid and also.data["agreement"] == gov["sla"].reference
    assert {a["title"] for a in api(slm).get(f"reviews/{rid}").data["actions"]} == {
        "Runbook for P1", "Train desk"}


def test_the_pack_as_pdf_and_xlsx(gov, slm, api, tmp_path):
    from openpyxl import load_workbook

    march_clocks(gov)
    rid = scheduled(api, slm).data["id"]
    api(slm).post(f"reviews/{rid}/open")
    api(slm).patch(f"reviews/{rid}", {"minutes": "Minutes of March"})
    api(slm).post(f"reviews/{rid}/decisions", {"who": "Sam", "what": "Keep P1"})
    pdf = api(slm).get(f"reviews/{rid}/pack?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = api(slm).get(f"reviews/{rid}/pack?format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Review", "Figures", "Decisions", "Verdicts", "Actions",
                               "Feedback"]
    assert book["Review"]["B1"].value == gov["sla"].reference
    figures = list(book["Figures"].iter_rows(values_only=True))
    assert figures[1][2:4] == (3, 1)  # met, breached of P1: real numbers
    assert list(book["Decisions"].iter_rows(values_only=True))[1][:2] == ("Sam", "Keep P1")
    assert api(slm).get(f"reviews/{rid}/pack?format=doc").status_code == 422
    out = tmp_path / "pack.xlsx"
    call_command("review-pack", str(rid), "--format", "xlsx", "--output", str(out))
    assert load_workbook(out)["Review"]["B1"].value == gov["sla"].reference
    pdf_out = tmp_path / "pack.pdf"
    call_command("review-pack", str(rid), "--output", str(pdf_out))
    assert pdf_out.read_bytes().startswith(b"%PDF")


# Scheduling and reminders, with the time each step is given -------------------------------

FEB_20 = datetime(2025, 2, 20, 9, tzinfo=UTC)


def activate(gov):
    Agreement.objects.filter(pk=gov["sla"].pk).update(status="active")


def test_the_next_review_of_each_kind_is_scheduled_once(gov):
    activate(gov)
    assert scheduling.schedule_reviews(FEB_20) is True
    assert scheduling.schedule_reviews(FEB_20) is False
    found = {(r.kind, r.period, r.due) for r in Review.objects.filter(agreement=gov["sla"])}
    # Quarterly by default: Q1 (Tokyo) reviewed ten days after it ends; the agreement review
    # on the version's review date (a year after 2025-01-01 UTC, Tokyo's date).
    assert found == {("performance", "2025-Q1", date(2025, 4, 10)),
                     ("agreement", "v1", date(2026, 1, 1))}
    # A new quarter: its review is added.
    assert scheduling.schedule_reviews(datetime(2025, 4, 5, tzinfo=UTC)) is True
    assert Review.objects.filter(period="2025-Q2", due=date(2025, 7, 10)).exists()


def test_after_an_agreement_review_the_next_one_is_scheduled_a_cycle_later(gov):
    activate(gov)
    scheduling.schedule_reviews(FEB_20)
    # The agreement review was held (closing it stamps last_reviewed_at) before its date.
    Agreement.objects.filter(pk=gov["sla"].pk).update(
        last_reviewed_at=datetime(2025, 12, 20, tzinfo=UTC))
    assert scheduling.schedule_reviews(datetime(2026, 1, 5, tzinfo=UTC)) is True
    agreement_reviews = {(r.period, r.due) for r in Review.objects.filter(
        agreement=gov["sla"], kind="agreement")}
    assert agreement_reviews == {("v1", date(2026, 1, 1)),
                                 ("v1 2026-12-20", date(2026, 12, 20))}


def test_reminders_owner_before_slms_when_overdue(gov, slm, mail):
    activate(gov)
    scheduling.schedule_reviews(FEB_20)
    review = Review.objects.get(period="2025-Q1")
    assert scheduling.review_reminders(datetime(2025, 4, 2, tzinfo=UTC)) is False  # 8 days
    assert scheduling.review_reminders(datetime(2025, 4, 3, tzinfo=UTC)) is True  # 7 days
    assert scheduling.review_reminders(datetime(2025, 4, 4, tzinfo=UTC)) is False  # once
    owner_note = Notification.objects.get()
    assert owner_note.idempotency_key == f"review:{review.pk}:upcoming:owner"
    assert owner_note.recipient == "sam@example.com"
    assert scheduling.review_reminders(datetime(2025, 4, 10, 23, tzinfo=UTC)) is False
    assert scheduling.review_reminders(datetime(2025, 4, 11, 1, tzinfo=UTC)) is True
    assert scheduling.review_reminders(datetime(2025, 4, 20, tzinfo=UTC)) is False
    overdue = Notification.objects.latest("pk")
    assert overdue.idempotency_key == f"review:{review.pk}:overdue:sam"


def test_due_and_overdue_lists(gov, slm, api):
    today = date.today()
    scheduled(api, slm, period="2025-01", due=(today - DAY).isoformat())
    scheduled(api, slm, period="2025-02", due=(today + 3 * DAY).isoformat())
    scheduled(api, slm, period="2025-03", due=(today + 30 * DAY).isoformat())
    assert [r["period"] for r in api(slm).get("reviews?overdue=true").data["items"]] == [
        "2025-01"]
    assert [r["period"] for r in api(slm).get("reviews?due=true").data["items"]] == [
        "2025-02"]
    assert api(slm).get("reviews").data["count"] == 3
