"""Recompute from the app: a button (for an agreement, a calendar, or everything) queues a
job for the worker; its page shows a progress bar that htmx refreshes until it is done."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accord.agreements.models import Agreement
from accord.catalogue.models import Calendar
from accord.catalogue.views import forbidden, history_context, page_of
from accord.lib.errors import DomainError

from .choices import RecomputeScope
from .job_models import RecomputeJob
from .jobs import start_recompute

PERMISSION = "change_agreement"  # service level managers and administrators


class RecomputeForm(forms.Form):
    scope = forms.ChoiceField(choices=RecomputeScope.choices)
    agreement = forms.ModelChoiceField(Agreement.objects.all(), required=False)
    calendar = forms.ModelChoiceField(Calendar.objects.all(), required=False)


def _may(user) -> bool:
    return user.can(PERMISSION) and not user.is_portal


@login_required
@require_http_methods(["GET", "POST"])
def recompute_jobs(request):
    if request.user.is_portal:
        return forbidden(request, "Recomputing is internal to the provider.")
    form = RecomputeForm(request.POST or None, initial={"scope": RecomputeScope.ALL})
    if request.method == "POST":
        if not _may(request.user):
            return forbidden(request, "Only service level managers and administrators start "
                                      "a recompute.")
        if form.is_valid():
            try:
                job = start_recompute(by=request.user, now=timezone.now(), **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"{job} queued: the worker runs it in batches.")
                return redirect("measurement:recompute_job", pk=job.pk)
    rows = RecomputeJob.objects.select_related("agreement", "calendar", "requested_by")
    return render(request, "measurement/recompute_jobs.html", {
        "form": form, "may_start": _may(request.user), **page_of(request, rows, 20),
    }, status=422 if form.errors else 200)


def _job(request, pk):
    return get_object_or_404(RecomputeJob.objects.select_related(
        "agreement", "calendar", "requested_by"), pk=pk)


@login_required
def recompute_job(request, pk: int):
    if request.user.is_portal:
        return forbidden(request, "Recomputing is internal to the provider.")
    job = _job(request, pk)
    template = ("measurement/_recompute_progress.html"
                if request.headers.get("HX-Request") == "true"
                else "measurement/recompute_job.html")
    return render(request, template, {"job": job, **history_context(request.user, job)})
