"""Pages for exclusions (claim, approve, reject), improvement plans (list, a plan with its
progress and measured effect, approval) and the risk register."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accord.agreements import queries as agreement_queries
from accord.catalogue.views import forbidden, page_of
from accord.lib.errors import DomainError
from accord.measurement.choices import ExclusionReason

from . import exclusions, plans
from .forms import PlanActionForm
from .models import Plan, Risk


@login_required
def exclusion_list(request):
    user = request.user
    if request.method == "POST":
        try:
            clock = request.POST.get("clock", "")
            exclusions.claim(by=user, clock_id=int(clock) if clock.isdigit() else -1,
                             reason=request.POST.get("reason", ""),
                             explanation=request.POST.get("explanation", ""),
                             evidence=request.POST.get("evidence", ""), now=timezone.now())
            messages.success(request, "Exclusion claimed: it counts once approved.")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("reviews:exclusions")
    found = exclusions.visible_exclusions(user).order_by("status", "-claimed_at")
    rows = [(e, exclusions.may_decide(user, e) and e.status == "pending") for e in
            found[:200]]
    return render(request, "reviews/exclusion_list.html", {
        "rows": rows, "reasons": ExclusionReason.choices,
        "may_claim": not user.is_portal and user.can("claim_exclusion")})


@login_required
@require_POST
def exclusion_decide(request, pk: int, verdict: str):
    if verdict not in ("approve", "reject"):
        raise Http404("no such decision")
    found = get_object_or_404(exclusions.visible_exclusions(request.user), pk=pk)
    try:
        exclusions.decide(found, by=request.user, approve=verdict == "approve",
                          note=request.POST.get("note", ""), now=timezone.now())
        messages.success(request, f"Exclusion {verdict}d.")
    except DomainError as exc:
        if exc.status == 403:
            return forbidden(request, exc.message)
        messages.error(request, exc.message)
    return redirect("reviews:exclusions")


def _plans(user):
    found = Plan.objects.filter(agreement_id__in=agreement_queries.visible_to(user)
                                .values("pk")).select_related("agreement", "owner")
    return found.filter(customer_facing=True) if user.is_portal else found


@login_required
def plan_list(request):
    user = request.user
    return render(request, "reviews/plan_list.html", {
        **page_of(request, _plans(user)),
        "may_add": not user.is_portal and user.can("manage_actions")})


def plan_context(request, plan: Plan, action_form=None) -> dict:
    user = request.user
    may_edit = not user.is_portal and user.can("manage_actions")
    return {
        "plan": plan, "progress": plans.progress(plan),
        "effect": plans.effect(plan, timezone.now()),
        "actions": plan.actions.select_related("owner") if not user.is_portal else [],
        "may_approve": plan.status == "draft" and plans.may_approve(user, plan),
        "may_edit": may_edit and plan.status not in ("completed", "cancelled"),
        "action_form": action_form or (PlanActionForm() if may_edit else None)}


@login_required
def plan_detail(request, pk: int):
    plan = get_object_or_404(_plans(request.user), pk=pk)
    if request.method == "POST":
        try:
            plans.approve_plan(plan, by=request.user, now=timezone.now())
            messages.success(request, "Plan approved.")
        except DomainError as exc:
            if exc.status == 403:
                return forbidden(request, exc.message)
            messages.error(request, exc.message)
        return redirect("reviews:plan", pk=plan.pk)
    return render(request, "reviews/plan_detail.html", plan_context(request, plan))


@login_required
def risk_list(request):
    if request.user.is_portal:
        return forbidden(request, "the risk register is internal")
    found = Risk.objects.select_related("service", "agreement", "owner")
    return render(request, "reviews/risk_list.html", {
        **page_of(request, found), "may_add": request.user.can("manage_actions")})
