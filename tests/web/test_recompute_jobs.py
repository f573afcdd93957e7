"""Recompute from the app: a button queues a job, the worker runs it in batches (progress
visible between them), the page polls a progress bar; audited at request and at the end."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accord.accounts.models import AuditEntry
from accord.escalation.worker import FIRING_STEPS, run_steps
from accord.measurement import jobs
from accord.measurement.jobs import run_recompute_batch, start_recompute
from accord.measurement.models import Clock, RecomputeJob
from tests.web.conftest import login
from tests.web.test_clock_pages import acme_24x7 as acme_24x7  # noqa: F401 (a fixture)
from tests.web.test_clock_pages import ingest, ticket

pytestmark = pytest.mark.django_db


def test_a_button_queues_a_job_and_the_worker_runs_it_in_batches(client, slm, acme_24x7,  # noqa: F811
                                                                  monkeypatch):
    now = timezone.now()
    ingest(*[ticket(f"INC-{i}", now - timedelta(hours=i + 1)) for i in range(5)])
    Clock.objects.all().delete()  # stale cache: the recompute must rebuild it
    login(client, slm)
    response = client.post("/recompute/", {"scope": "agreement", "agreement": acme_24x7.pk})
    job = RecomputeJob.objects.get()
    assert response["Location"] == f"/recompute/{job.pk}/"
    assert (job.state, job.requested_by) == ("queued", slm)

    monkeypatch.setattr(jobs, "BATCH", 2)
    assert run_recompute_batch(now, "w1")
    job.refresh_from_db()
    # Between batches the job shows how far it got.
    assert (job.state, job.done, job.total) == ("running", 2, 5)
    page = client.get(f"/recompute/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "2 of 5 tickets" in page and 'hx-trigger="every 1s"' in page

    while run_recompute_batch(now, "w1"):
        pass
    job.refresh_from_db()
    assert (job.state, job.done) == ("done", 5)
    assert Clock.objects.filter(ticket__ticket_id__startswith="INC-").count() == 5
    page = client.get(f"/recompute/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in page  # finished: the bar stops polling
    messages = list(AuditEntry.objects.filter(object_id=str(job.pk),
                                              content_type__model="recomputejob")
                    .values_list("message", flat=True))
    assert any("requested" in m for m in messages) and any("finished" in m for m in messages)


def test_the_worker_loop_runs_recompute_jobs(slm):
    assert run_recompute_batch in FIRING_STEPS
    job = start_recompute(scope="all", by=slm, now=timezone.now())
    run_steps("w")
    job.refresh_from_db()
    assert job.state == "done" and job.total == 0


def test_a_claimed_job_is_not_run_twice_until_its_lease_lapses(slm):
    now = timezone.now()
    job = start_recompute(scope="all", by=slm, now=now)
    RecomputeJob.objects.filter(pk=job.pk).update(claimed_by="other",
                                                  claimed_until=now + timedelta(minutes=1))
    assert not run_recompute_batch(now, "w1")
    assert run_recompute_batch(now + timedelta(minutes=2), "w1")


def test_a_scope_without_its_object_is_refused(client, slm):
    login(client, slm)
    response = client.post("/recompute/", {"scope": "agreement"})
    assert response.status_code == 422
    assert "names its agreement" in response.context["form"].errors["agreement"][0]
    assert not RecomputeJob.objects.exists()


def test_a_reader_may_not_start_a_recompute(client, reader):
    login(client, reader)
    assert client.post("/recompute/", {"scope": "all"}).status_code == 403
    assert client.get("/recompute/").status_code == 200


def test_a_failing_batch_marks_the_job_failed_with_its_error(slm, acme_24x7,  # noqa: F811
                                                             monkeypatch):
    now = timezone.now()
    ingest(ticket("INC-9", now - timedelta(hours=1)))
    job = start_recompute(scope="agreement", agreement=acme_24x7, by=slm, now=now)

    def broken(ids, at):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "recompute_tickets", broken)
    with pytest.raises(RuntimeError):
        run_recompute_batch(now, "w1")
    job.refresh_from_db()
    assert (job.state, job.error) == ("failed", "RuntimeError: disk full")
    assert not run_recompute_batch(now, "w1")  # a failed job is not picked up again
