"""Page forms for what the API could already change: a new plan, a plan's edit and its
actions, a new or edited risk, and the investigation of a breached clock or of a missed
objective. Each parses a form, checks the same role the API checks and calls the same service
function (which validates, writes and audits); a service's error is shown next to the field
it names and nothing is changed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accord.agreements import queries as agreement_queries
from accord.catalogue.views import forbidden
from accord.lib.errors import DomainError, Forbidden, InvalidInput
from accord.measurement.choices import ResponsibleParty
from accord.measurement.models import BreachInvestigation
from accord.reporting.periods import Period

from . import actions, investigations, objectives, plans, risks
from .choices import ActionSource
from .forms import InvestigationForm, PlanActionForm, PlanForm, RiskForm, attach
from .models import Plan, Risk
from .views_more import _plans, plan_context


def _refused(user, permission: str, what: str):
    """The API's rule (``_writer``): staff holding ``permission``; portal users never."""
    if user.is_portal or not user.can(permission):
        return f"your role ({user.get_role_display()}) may not {what}"
    return None


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request):
    user = request.user
    if refused := _refused(user, "manage_actions", "propose improvement plans"):
        return forbidden(request, refused)
    agreements = agreement_queries.visible_to(user)
    form = PlanForm(request.POST or None, plan=None, agreements=agreements)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = plans.create_plan(
                by=user, now=timezone.now(), title=data["title"], shortfall=data["shortfall"],
                agreement=data["agreement"], service=data["service"],
                customer_facing=data["customer_facing"],
                targets=[t.pk for t in data["targets"]], breaches=data["breaches"],
                milestones=data["milestones"], owner=data["owner"])
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, "Plan proposed: it starts once approved.")
            return redirect("reviews:plan", pk=made.pk)
    return render(request, "reviews/plan_edit.html", {"plan": None, "form": form},
                  status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int):
    user = request.user
    plan = get_object_or_404(_plans(user), pk=pk)
    if refused := _refused(user, "manage_actions", "change improvement plans"):
        return forbidden(request, refused)
    agreements = agreement_queries.visible_to(user)
    form = PlanForm(request.POST or None, plan=plan, agreements=agreements)
    if request.method == "POST" and form.is_valid():
        try:
            # A fresh copy: a refused change must not show on the page as if it were kept.
            plans.update_plan(Plan.objects.get(pk=plan.pk), by=user, values=form.values(),
                              now=timezone.now())
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, "Plan saved.")
            return redirect("reviews:plan", pk=plan.pk)
    return render(request, "reviews/plan_edit.html", {"plan": plan, "form": form},
                  status=422 if form.errors else 200)


@login_required
@require_http_methods(["POST"])
def plan_action(request, pk: int):
    """An action of the plan (as ``POST /api/v1/actions`` with ``plan``)."""
    user = request.user
    plan = get_object_or_404(_plans(user), pk=pk)
    if refused := _refused(user, "manage_actions", "raise actions"):
        return forbidden(request, refused)
    form = PlanActionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = actions.create_action(
                by=user, now=timezone.now(), title=data["title"], owner=data["owner"],
                due=data["due"], agreement=plan.agreement, service=plan.service,
                source=ActionSource.PLAN, extra={"plan": plan})
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"Action raised for {made.owner or 'nobody yet'}, "
                                      f"due {made.due}.")
            return redirect("reviews:plan", pk=plan.pk)
    return render(request, "reviews/plan_detail.html",
                  plan_context(request, plan, action_form=form), status=422)


def _plan_choices(user):
    return _plans(user).exclude(status__in=("completed", "cancelled")).order_by("title")


@login_required
@require_http_methods(["GET", "POST"])
def risk_new(request):
    user = request.user
    if refused := _refused(user, "manage_actions", "register risks"):
        return forbidden(request, refused)
    form = RiskForm(request.POST or None, agreements=agreement_queries.visible_to(user),
                    plans=_plan_choices(user))
    if request.method == "POST" and form.is_valid():
        try:
            risks.create_risk(by=user, now=timezone.now(), **form.values())
        except Forbidden as exc:  # a service owner, for a service not theirs
            return forbidden(request, exc.message)
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, "Risk registered.")
            return redirect("reviews:risks")
    return render(request, "reviews/risk_edit.html", {"risk": None, "form": form},
                  status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request, pk: int):
    user = request.user
    if user.is_portal:
        return forbidden(request, "the risk register is internal")
    risk = get_object_or_404(Risk.objects.select_related("service", "agreement", "owner"),
                             pk=pk)
    if refused := _refused(user, "manage_actions", "change risks"):
        return forbidden(request, refused)
    form = RiskForm(request.POST or None, risk=risk, agreements=None, plans=None)
    if request.method == "POST" and form.is_valid():
        try:
            risks.update_risk(Risk.objects.select_related("service").get(pk=risk.pk), by=user,
                              values=form.values(), now=timezone.now())
        except Forbidden as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, "Risk saved.")
            return redirect("reviews:risks")
    return render(request, "reviews/risk_edit.html", {"risk": risk, "form": form},
                  status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def breach_investigation(request, clock_id: int):
    """A breached clock's page: what breached, and its investigation (reason code, root
    cause, responsible party with the suggestion preselected, problem tickets)."""
    user = request.user
    if user.is_portal:
        return forbidden(request, "breach investigations are internal")
    try:
        clock = investigations.breached_clock(clock_id, agreement_queries.visible_to(user))
    except InvalidInput:
        raise Http404("no such breached clock")
    found = (BreachInvestigation.objects.filter(clock=clock)
             .select_related("reason", "confirmed_by").prefetch_related("problems").first())
    suggested = found.suggested_party if found else investigations.suggested_party(clock)
    form = InvestigationForm(request.POST or None, investigation=found, suggested=suggested)
    may_record = _refused(user, "manage_actions", "record breach investigations") is None
    if request.method == "POST":
        if not may_record:
            return forbidden(request, _refused(user, "manage_actions",
                                               "record breach investigations"))
        if form.is_valid():
            try:
                investigations.record(clock, by=user, values=form.values(),
                                      now=timezone.now())
            except DomainError as exc:
                attach(form, exc)
            else:
                messages.success(request, "Investigation saved.")
                return redirect("reviews:breach", clock_id=clock.pk)
    return render(request, "reviews/breach.html", {
        "clock": clock, "investigation": found, "form": form, "may_record": may_record,
        "suggested": suggested}, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def objective_investigation(request, agreement: int, target: int, label: str):
    """A missed objective's page: the target, the period, compliance against the objective,
    the period's breached clocks (each to its breach page), the party suggested from who held
    the breached time, and the investigation's form. A period whose objective was met shows
    its figures and says why it cannot be investigated (409)."""
    user = request.user
    if user.is_portal:
        return forbidden(request, "investigations of missed objectives are internal")
    found_agreement = get_object_or_404(
        agreement_queries.visible_to(user).select_related("calendar", "customer"),
        pk=agreement)
    try:
        period = Period.parse(label, tz=found_agreement.reporting_zone)
        found = objectives.objective(found_agreement, target, period, timezone.now())
    except InvalidInput:
        raise Http404("no such target or period")
    refused = objectives.refusal(found)
    investigation = found.investigation() if refused is None else None
    suggested = (investigation.suggested_party if investigation else found.suggested_party)
    form = InvestigationForm(request.POST or None, investigation=investigation,
                             suggested=suggested)
    suggestion = f"{dict(ResponsibleParty.choices)[suggested]}: {found.suggestion_reason}"
    form.fields["party"].help_text = f"Suggested: {suggestion} Saving confirms it."
    may_record = refused is None and _refused(
        user, "manage_actions", "record investigations") is None
    if request.method == "POST":
        if refused is not None:
            messages.error(request, refused)
        elif not may_record:
            return forbidden(request, _refused(user, "manage_actions",
                                               "record investigations"))
        elif form.is_valid():
            try:
                objectives.record(found, by=user, values=form.values(), now=timezone.now())
            except DomainError as exc:
                attach(form, exc)
            else:
                messages.success(request, "Investigation saved.")
                return redirect("reviews:objective", agreement=found_agreement.pk,
                                target=target, label=period.label)
    status = 409 if refused else 422 if form.errors else 200
    return render(request, "reviews/objective.html", {
        "agreement": found_agreement, "found": found, "row": found.row,
        "period": found.period, "clocks": list(found.clocks()), "refused": refused,
        "investigation": investigation, "form": form, "may_record": may_record,
        "suggested": suggested, "suggestion": suggestion}, status=status)
