"""SLR pages: the list, capture and edit, evaluation ("can we deliver it?") and conversion
into draft targets. Writes go through slrs.py (the API's rules); service level managers
write, staff read, a customer-portal user reads their own customer's SLRs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts.sentences import duration
from accord.catalogue.views import forbidden, history_context, page_of
from accord.lib.errors import DomainError

from . import queries, slrs
from .choices import Metric
from .slr_forms import ConvertForm, EvaluateForm, SlrForm

PERMISSION = "change_agreement"
REFUSED = "Only service level managers capture and decide SLRs."


def _may(user) -> bool:
    return user.can(PERMISSION) and not user.is_portal


def _slr(request, pk):
    return get_object_or_404(queries.slrs_visible_to(request.user), pk=pk)


@login_required
def slr_list(request):
    rows = queries.slrs_visible_to(request.user)
    return render(request, "agreements/slr_list.html", {
        "may_author": _may(request.user), **page_of(request, rows)})


def requested_rows(slr) -> list[dict]:
    """The requested targets as they read: metric label, hours and minutes, percentages."""
    rows = []
    for item in slr.requested_targets or []:
        metric = item.get("metric", "")
        seconds, pct = item.get("duration_seconds"), item.get("percentage")
        rows.append({
            "metric": Metric(metric).label if metric in Metric.values else metric,
            "priority": item.get("priority") or "any",
            "target": duration(seconds) if seconds else (f"{pct} %" if pct else "—"),
            "objective": f"{item['objective_percent']} %" if item.get("objective_percent")
            else "—",
            "note": item.get("note", ""),
        })
    return rows


def _detail(request, slr, *, evaluate=None, convert=None, status=200):
    user = request.user
    return render(request, "agreements/slr_detail.html", {
        "slr": slr, "may_author": _may(user), "requested": requested_rows(slr),
        "evaluate": evaluate or EvaluateForm(initial={"feasibility": slr.feasibility or "yes",
                                                      "notes": slr.evaluation_notes}),
        "convert": convert or ConvertForm(slr=slr),
        **history_context(user, slr),
    }, status=status)


@login_required
def slr_detail(request, pk: int):
    return _detail(request, _slr(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def slr_edit(request, pk: int | None = None):
    slr = _slr(request, pk) if pk is not None else None
    if not _may(request.user):
        return forbidden(request, REFUSED)
    form = SlrForm(request.POST or None, slr=slr)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        try:
            if slr is None:
                slr = slrs.create_slr(by=request.user, now=now, **form.values())
            else:
                slrs.update_slr(slr, by=request.user, now=now, **form.values())
        except DomainError as exc:
            form.add_error(form.field_of(exc.field), exc.message)
        else:
            messages.success(request, f"{slr} saved.")
            return redirect("agreements:slr", pk=slr.pk)
    return render(request, "agreements/slr_form.html", {"form": form, "slr": slr},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def slr_evaluate(request, pk: int):
    slr = _slr(request, pk)
    if not _may(request.user):
        return forbidden(request, REFUSED)
    form = EvaluateForm(request.POST)
    if form.is_valid():
        try:
            slrs.evaluate_slr(slr, by=request.user, now=timezone.now(),
                              feasibility=form.cleaned_data["feasibility"],
                              notes=form.cleaned_data["notes"],
                              decision=form.cleaned_data["decision"] or None)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{slr} evaluated: {slr.get_status_display().lower()}.")
            return redirect("agreements:slr", pk=slr.pk)
    slr.refresh_from_db()
    return _detail(request, slr, evaluate=form, status=422)


@login_required
@require_POST
def slr_convert(request, pk: int):
    slr = _slr(request, pk)
    if not _may(request.user):
        return forbidden(request, REFUSED)
    form = ConvertForm(request.POST, slr=slr)
    if form.is_valid():
        try:
            version = slrs.convert_to_draft(slr, form.cleaned_data["agreement"],
                                            by=request.user, now=timezone.now(),
                                            name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{slr} converted into draft targets of {version}.")
            url = reverse("agreements:detail", args=[version.agreement_id])
            return redirect(f"{url}?version={version.number}")
    slr.refresh_from_db()
    return _detail(request, slr, convert=form, status=422)
