"""Pages of the design tools: the what-if replay of an agreement version ("how would this
have done over the last 12 months?") with a table and an SVG chart per target."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accord.accounts.auth import require
from accord.agreements import queries
from accord.agreements.models import AgreementVersion
from accord.catalogue.views import forbidden
from accord.lib.errors import DomainError, Forbidden

from .charts import comparison_svg
from .simulate import comparison, simulate, simulate_slr


def last_twelve_months(today: date) -> tuple[date, date]:
    """The 12 whole months before the current one."""
    last = today.replace(day=1) - timedelta(days=1)
    first = date(last.year - 1 + (last.month // 12), last.month % 12 + 1, 1)
    return first, last


def _version(request, pk: int, number: int) -> AgreementVersion:
    agreement = get_object_or_404(queries.visible_to(request.user), pk=pk)
    return get_object_or_404(AgreementVersion.objects.select_related("agreement"),
                             agreement=agreement, number=number)


@login_required
def simulate_page(request, pk: int, number: int):
    """GET: the form (default: the last 12 whole months in the reporting zone); POST: the
    replay, month by month beside the version in force."""
    version = _version(request, pk, number)
    agreement = version.agreement
    now = timezone.now()
    today = now.astimezone(ZoneInfo(agreement.reporting_zone)).date()
    first, last = last_twelve_months(today)
    context = {"agreement": agreement, "version": version, "first": first, "last": last,
               "result": None, "error": None}
    return _replay_page(request, context, lambda first, last, now, by: simulate(
        version, first, last, now=now, by=by), f"v{version.number} replayed", now)


def _shown(result: dict, sim_label: str) -> dict:
    """The table rows and charts of a replay's result."""
    base_label = (f"v{result['baseline']['version']} stored"
                  if result["baseline"]["version"] else "stored clocks")
    rows = comparison(result)
    for entry in rows:
        entry["chart"] = comparison_svg(entry, sim_label, base_label)
        entry["breached"] = sum(m["breached"] for m in entry["months"])
        entry["baseline_breached"] = sum(m["baseline_breached"] or 0 for m in entry["months"])
    return {"result": result, "rows": rows, "sim_label": sim_label, "base_label": base_label}


@login_required
def slr_simulate_page(request, pk: int):
    """"Which of these targets would we have met for this customer?": the SLR's requested
    targets replayed as a hypothetical version of the customer's SLA."""
    slr = get_object_or_404(queries.slrs_visible_to(request.user), pk=pk)
    now = timezone.now()
    tz = slr.customer.tz or "UTC"
    first, last = last_twelve_months(now.astimezone(ZoneInfo(tz)).date())
    context = {"slr": slr, "agreement": None, "version": None, "first": first, "last": last,
               "result": None, "error": None}
    return _replay_page(request, context, lambda first, last, now, by: simulate_slr(
        slr, first, last, now=now, by=by), "requested targets", now)


def _replay_page(request, context: dict, run, label: str, now):
    """The replay page: on POST, ``run(first, last, now, by)`` over the chosen months (the
    form's, else the last twelve); a refusal is shown next to the form with a 422."""
    if request.method == "POST":
        try:
            by = require(request, "change_agreement")
            first = request.POST.get("from") or context["first"]
            last = request.POST.get("to") or context["last"]
            context.update(first=first, last=last)
            result = run(first, last, now, by)
        except Forbidden as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            context["error"] = f"{exc.field}: {exc.message}" if exc.field else exc.message
            return render(request, "planning/simulate.html", context, status=422)
        context.update(_shown(result, label))
        context["agreement_ref"] = result["agreement"]
    return render(request, "planning/simulate.html", context)


@login_required
def fit_page(request, pk: int):
    """The OLA/UC fit of an SLA (the shown version: ``?version=N``, default in force), and
    for a draft the acknowledgement signing needs when it does not fit."""
    from .fit import fit
    from .models import FitAcknowledgement
    from .services import acknowledge_fit

    agreement = get_object_or_404(queries.visible_to(request.user), pk=pk)
    number = request.GET.get("version") or request.POST.get("version")
    version = (get_object_or_404(AgreementVersion, agreement=agreement, number=int(number))
               if number and str(number).isdigit() else None)
    now = timezone.now()
    error = None
    if request.method == "POST" and version is not None:
        try:
            by = require(request, "change_agreement")
            acknowledge_fit(version, by=by, reason=request.POST.get("reason", ""), now=now)
        except Forbidden as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            error = f"{exc.field}: {exc.message}" if exc.field else exc.message
    result = fit(agreement, now, version)
    acks = (FitAcknowledgement.objects.filter(version__agreement=agreement)
            .select_related("version", "by"))
    return render(request, "planning/fit.html", {
        "agreement": agreement, "version": version, "result": result, "acks": acks,
        "error": error}, status=422 if error else 200)


@login_required
def from_template_page(request):
    """"New agreement from template": a template, the parties, the start; creates a draft."""
    from datetime import datetime as dt

    from accord.catalogue.models import Customer, Service, Supplier, Team

    from .models import AgreementTemplate
    from .templating import instantiate

    try:
        by = require(request, "change_agreement")
    except Forbidden as exc:
        return forbidden(request, exc.message)
    latest = {}
    for t in AgreementTemplate.objects.order_by("name", "-number"):
        latest.setdefault(t.name, t)
    models = {"customer": Customer, "service": Service, "team": Team, "supplier": Supplier}
    context = {"templates": list(latest.values()), "error": None, "chosen": request.POST,
               **{f"{k}s": m.objects.order_by("name") for k, m in models.items()}}
    if request.method == "POST":
        try:
            template = get_object_or_404(AgreementTemplate, pk=request.POST.get("template"))
            parties = {k: get_object_or_404(m, pk=request.POST[k]) for k, m in models.items()
                       if request.POST.get(k)}
            start = request.POST.get("effective_from")
            start = (dt.fromisoformat(start).replace(tzinfo=ZoneInfo("UTC"))
                     if start else None)
            agreement = instantiate(template, by=by, now=timezone.now(),
                                    name=request.POST.get("name", ""), effective_from=start,
                                    **parties)
        except ValueError:
            context["error"] = "effective_from: not a date"
            return render(request, "planning/from_template.html", context, status=422)
        except DomainError as exc:
            context["error"] = f"{exc.field}: {exc.message}" if exc.field else exc.message
            return render(request, "planning/from_template.html", context, status=422)
        return redirect("agreements:detail", agreement.pk)
    return render(request, "planning/from_template.html", context)
