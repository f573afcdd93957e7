"""Agreement pages: the list, the detail (versions, targets, approvals, lifecycle, effective
targets, audit trail), lifecycle transitions, approvals and version comparison.

Every page works as plain HTML; a transition posted by htmx gets back only the header (and
the audit trail, swapped out of band). Writes go through services.py and versions.py.
"""

from datetime import UTC, datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accord.accounts.auth import require
from accord.catalogue import queries as catalogue_queries
from accord.catalogue.models import Calendar, Customer, Service
from accord.catalogue.views import audit_rows, filtered, forbidden, page_of
from accord.lib.durations import business_duration
from accord.lib.errors import DomainError, Forbidden

from . import queries, services, versions
from .authoring import may_author
from .calendars import explain_calendar
from .choices import AgreementKind, AgreementStatus, Metric, Party
from .content import compare_versions
from .forms import AgreementFilter, ApproveForm, CompareForm, TransitionForm
from .inheritance import effective_targets
from .signatories import eligible_contacts

S = AgreementStatus
ACTION_LABELS = {
    S.DRAFT: "Back to draft", S.IN_NEGOTIATION: "Start negotiation", S.AGREED: "Mark agreed",
    S.ACTIVE: "Activate", S.UNDER_REVIEW: "Start review", S.EXPIRED: "Expire",
    S.TERMINATED: "Terminate",
}
CALENDAR_SOURCES = {
    "target": "set on the target", "customer": "the customer's",
    "agreement_in_customer_tz": "the agreement's, in the customer's zone",
    "agreement": "the agreement's", "service": "the service's", "default": "default",
}


# --- how targets read --------------------------------------------------------------------


def duration(seconds) -> str:
    """Business time as it reads on every page: 14400 -> "4 h", 5400 -> "1 h 30 min"."""
    return business_duration(seconds)


def percent(value) -> str:
    if value is None:
        return "—"
    return f"{Decimal(str(value)).normalize():f} %"


SHORT_MEASURES = {"csat_average": "CSAT", "csat_satisfied_percent": "satisfied %",
                  "ces_average": "CES", "nps": "NPS", "complaints_per_100_tickets":
                  "complaints/100 tickets", "reopen_rate_percent": "reopened %"}


def threshold(metric: str, seconds, percentage, experience: dict | None = None) -> str:
    if experience and experience.get("measure"):
        sign = "≤" if experience.get("direction") == "at_most" else "≥"
        value = Decimal(str(experience.get("threshold"))).normalize()
        measure = experience["measure"]
        return f"{SHORT_MEASURES.get(measure, measure)} {sign} {value:f}"
    if seconds is not None:
        return f"within {duration(seconds)}"
    return f"at least {percent(percentage)}" if percentage is not None else "—"


def scope(service_name, ticket_type, priority) -> str:
    parts = [service_name or "", f"type {ticket_type}" if ticket_type else "",
             f"priority {priority}" if priority else ""]
    return " · ".join(p for p in parts if p) or "all tickets"


def target_row(target, agreement, *, link_calendars: bool) -> dict:
    resolved = explain_calendar(target, customer=agreement.customer,
                                service=agreement.single_service())
    calendar = resolved.calendar
    return {
        "target": target,
        "name": target.name or target.get_metric_display(),
        "metric": target.get_metric_display(),
        "scope": scope(target.service.name if target.service_id else "", target.ticket_type,
                       target.priority),
        "calendar": calendar.name,
        "calendar_url": calendar.pk if link_calendars and calendar.pk else None,
        "calendar_source": CALENDAR_SOURCES.get(resolved.source, resolved.source),
        "threshold": threshold(target.metric, target.duration_seconds, target.percentage,
                               {"measure": target.measure, "threshold": target.threshold,
                                "direction": target.direction,
                                "min_responses": target.min_responses}),
        "objective": (f"{percent(target.objective_percent)} per {target.period}"
                      if target.objective_percent is not None else
                      f"per {target.period}, ≥ {target.min_responses} answers"
                      if target.measure else "—"),
        "warnings": " · ".join(str(w) for w in target.warning_thresholds or []) or "none",
        "credit": (percent(target.credit_percent) + " of charge" if target.credit_percent
                   else f"{target.credit_amount} {target.credit_currency}"
                   if target.credit_amount else ""),
    }


# --- loading -----------------------------------------------------------------------------


def _visible(user):
    return queries.visible_to(user).select_related(
        "customer", "team", "supplier", "parent", "owner", "calendar"
    ).prefetch_related("services", "versions")


def _agreement(request, pk: int):
    return get_object_or_404(_visible(request.user), pk=pk)


def review_due(agreement, now):
    """When the next review is due; None once the agreement has ended."""
    return None if agreement.is_terminal else queries.next_review_due(agreement, now)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def agreement_list(request):
    customers = catalogue_queries.visible_to(request.user, Customer)
    form, values = filtered(lambda data: AgreementFilter(data, customers=customers), request)
    rows = _visible(request.user)
    if "q" in values:
        rows = rows.filter(name__icontains=values["q"])
    for name in ("kind", "status", "customer"):
        if name in values:
            rows = rows.filter(**{name: values[name]})
    if "service" in values:  # naming it, or an SLA for every service
        rows = rows.filter(Q(services=values["service"])
                           | Q(kind=AgreementKind.SLA, services__isnull=True)).distinct()
    now = timezone.now()
    page = page_of(request, rows)
    for agreement in page["page"]:
        agreement.in_force = agreement.version_in_force(now)
        agreement.review_due = review_due(agreement, now)
    return render(request, "agreements/list.html", {
        "form": form, "now": now, "service": values.get("service"), **page,
        "may_author": request.user.can("change_agreement") and not request.user.is_portal,
    })


def _shown_version(agreement, versions_, in_force, number):
    if number:
        for version in versions_:
            if str(version.number) == str(number):
                return version
        raise Http404(f"{agreement.reference} has no version {number}")
    return in_force or (versions_[-1] if versions_ else None)


def _approval_options(user, agreement, version) -> list[dict]:
    """The approve buttons ``user`` may press for ``version`` (a draft of a live agreement)."""
    if version is None or version.is_frozen or agreement.is_terminal:
        return []
    done = {a.party for a in version.approvals.all() if a.is_valid}
    options = []
    if Party.PROVIDER not in done and user.can("sign_agreement"):
        options.append({"party": Party.PROVIDER, "label": "Approve as provider"})
    if Party.COUNTERPARTY not in done:
        if agreement.counterparty_signatories().filter(pk=user.pk).exists():
            options.append({"party": Party.COUNTERPARTY, "label": "Approve as counterparty"})
        elif user.can("sign_agreement") and not user.is_portal:
            signed = {a.signatory_user_id for a in version.approvals.all() if a.is_valid}
            contacts = [c for c in eligible_contacts(agreement).order_by("last_name", "username")
                        if c.pk not in signed and c.pk != user.pk]
            options.append({"party": Party.COUNTERPARTY, "on_behalf": True,
                            "contacts": contacts, "label": "Record counterparty approval"})
    return options


def detail_context(request, agreement, *, number=None, **extra) -> dict:
    user, now = request.user, timezone.now()
    versions_ = sorted(agreement.versions.all(), key=lambda v: v.number)
    in_force = agreement.version_in_force(now)
    shown = _shown_version(agreement, versions_, in_force, number)
    targets, approvals = [], []
    if shown is not None:
        shown.agreement = agreement  # reuse the prefetched agreement
        for target in shown.targets.select_related("service", "calendar"):
            target.version = shown
            targets.append(target_row(target, agreement, link_calendars=not user.is_portal))
        approvals = list(shown.approvals.select_related("user"))
    inherited = []
    if agreement.parent_id and shown is not None:
        for item in effective_targets(shown, now):
            row = target_row(item.target, agreement, link_calendars=not user.is_portal)
            row.update(source=item.agreement, source_version=item.version.number,
                       inherited=item.inherited,
                       overrides=[f"{t.version.agreement.reference} v{t.version.number}"
                                  for t in item.overrides])
            inherited.append(row)
    may_change = user.can("change_agreement")
    return {
        "agreement": agreement, "now": now, "versions": versions_, "in_force": in_force,
        "shown": shown, "targets": targets, "approvals": approvals,
        "approve_options": _approval_options(user, agreement, shown),
        "effective": inherited,
        "transitions": ([(to, ACTION_LABELS[to]) for to in services.TRANSITIONS[agreement.status]]
                        if may_change else []),
        "review_due": review_due(agreement, now),
        "children": queries.visible_to(user).filter(parent=agreement),
        "underpins": queries.visible_to(user).filter(underpinned_by=agreement),
        "underpinned_by": queries.visible_to(user).filter(underpins=agreement),
        # The provider's audit trail (staff names, internal reasons) is for staff only.
        "history": None if user.is_portal else audit_rows(queries.history(agreement)[:100]),
        "link_services": not user.is_portal,
        "may_author": may_author(user, agreement),
        "matrix": queries.priority_matrix(agreement),
        "overlaps": [] if user.is_portal else queries.overlapping_slas(agreement),
        **extra,
    }


@login_required
def agreement_detail(request, pk: int):
    agreement = _agreement(request, pk)
    context = detail_context(request, agreement, number=request.GET.get("version"))
    return render(request, "agreements/detail.html", context)


def _refused(request, agreement, status: int, **extra):
    """Show why a transition was refused: the header for htmx, the whole page otherwise."""
    context = detail_context(request, agreement, **extra)
    if _is_htmx(request):
        return render(request, "agreements/_header_swap.html", context, status=status)
    return render(request, "agreements/detail.html", context, status=status)


@login_required
@require_POST
def agreement_transition(request, pk: int):
    agreement = _agreement(request, pk)
    form = TransitionForm(request.POST)
    try:
        by = require(request, "change_agreement")
        if not form.is_valid():
            return _refused(request, agreement, 422, transition_form=form,
                            transition_error="Choose the status to move to.")
        to, reason = form.cleaned_data["to"], form.cleaned_data["reason"]
        services.transition(agreement, to, by=by, now=timezone.now(), reason=reason)
    except Forbidden as exc:
        if _is_htmx(request):
            return _refused(request, agreement, 403, transition_error=exc.message)
        return forbidden(request, exc.message)
    except DomainError as exc:
        return _refused(request, agreement, exc.status, transition_form=form,
                        transition_error=exc.message)
    done = f"{agreement.reference} is now {agreement.get_status_display().lower()}."
    if _is_htmx(request):
        agreement = _agreement(request, pk)
        context = detail_context(request, agreement, transition_done=done)
        return render(request, "agreements/_header_swap.html", context)
    messages.success(request, done)
    return redirect("agreements:detail", pk=pk)


@login_required
@require_POST
def version_approve(request, pk: int, number: int):
    agreement = _agreement(request, pk)
    version = get_object_or_404(agreement.versions.all(), number=number)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _refused(request, agreement, 422, number=number,
                        approve_error="Choose the party you approve for.")
    try:
        versions.approve(version, by=request.user, now=timezone.now(), **form.cleaned_data)
    except Forbidden as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        return _refused(request, agreement, exc.status, number=number, approve_error=exc.message)
    version.refresh_from_db()
    party = form.cleaned_data["party"]
    done = f"v{version.number} approved as {party}."
    if version.is_frozen:
        done += f" Both parties have signed: v{version.number} is agreed and frozen."
    messages.success(request, done)
    return redirect(f"{reverse('agreements:detail', args=[pk])}?version={version.number}")


# --- compare -------------------------------------------------------------------------------


def _names(model, ids) -> dict:
    return dict(model.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))


def _target_summary(data: dict, services_: dict) -> dict:
    return {
        "name": data["name"] or Metric(data["metric"]).label,
        "metric": Metric(data["metric"]).label,
        "scope": scope(services_.get(data["service"], ""), data["ticket_type"], data["priority"]),
        "threshold": threshold(data["metric"], data["duration_seconds"], data["percentage"],
                               data),
        "objective": percent(data["objective_percent"]) if data["objective_percent"] else "—",
    }


FIELD_LABELS = {
    "duration_seconds": "target time", "percentage": "target %", "objective_percent": "objective",
    "warning_thresholds": "warnings at %", "credit_percent": "credit %",
    "change_summary": "change summary", "effective_from": "effective from",
    "effective_to": "effective to", "review_due": "review due",
}


def _label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " "))


def _instant(value) -> str:
    """An ISO instant from a version's content in the viewer's zone: "2025-01-01 10:00
    Europe/Paris" (the zone the request activated, see accord.web.middleware)."""
    if not value:
        return "—"
    try:
        zone = timezone.get_current_timezone()
        local = datetime.fromisoformat(value).astimezone(UTC).astimezone(zone)
        return f"{local:%Y-%m-%d %H:%M} {timezone.get_current_timezone_name()}"
    except (TypeError, ValueError):
        return str(value)


def _version_value(name: str, value) -> str:
    if name in ("effective_from", "effective_to", "review_due"):
        return _instant(value)
    return "—" if value in (None, "") else str(value)


def _field_value(name: str, value, services_: dict, calendars_: dict) -> str:
    if value is None or value == "":
        return "—"
    if name == "duration_seconds":
        return duration(value)
    if name == "service":
        return services_.get(value, f"#{value}")
    if name == "calendar":
        return calendars_.get(value, f"#{value}")
    if name in ("percentage", "objective_percent", "credit_percent"):
        return percent(value)
    return str(value)


def _readable(diff: dict) -> dict:
    """The diff of ``compare_versions`` with names and units instead of ids and seconds."""
    targets = diff["targets"]
    every = targets["added"] + targets["removed"] + [c["key"] for c in targets["changed"]]
    changed_ids = {name: [v for c in targets["changed"] for v in c["fields"].get(name, [])]
                   for name in ("service", "calendar")}
    services_ = _names(Service, [t["service"] for t in every] + changed_ids["service"])
    calendars_ = _names(Calendar, [t.get("calendar") for t in every] + changed_ids["calendar"])
    return {
        "fields": [(_label(name), _version_value(name, old), _version_value(name, new))
                   for name, (old, new) in diff["fields"].items()],
        "added": [_target_summary(t, services_) for t in targets["added"]],
        "removed": [_target_summary(t, services_) for t in targets["removed"]],
        "changed": [{
            "name": c["name"] or Metric(c["key"]["metric"]).label,
            "scope": scope(services_.get(c["key"]["service"], ""), c["key"]["ticket_type"],
                           c["key"]["priority"]),
            "fields": [(_label(name), _field_value(name, old, services_, calendars_),
                        _field_value(name, new, services_, calendars_))
                       for name, (old, new) in c["fields"].items()],
        } for c in targets["changed"]],
    }


@login_required
def agreement_compare(request, pk: int):
    agreement = _agreement(request, pk)
    by_number = {v.number: v for v in agreement.versions.all()}
    numbers = sorted(by_number)
    initial = {"a": numbers[-2] if len(numbers) > 1 else numbers[0], "b": numbers[-1]}
    form = CompareForm(request.GET or initial, numbers=numbers)
    diff = None
    if form.is_valid():
        a, b = by_number[form.cleaned_data["a"]], by_number[form.cleaned_data["b"]]
        diff = _readable(compare_versions(a, b))
        diff.update(a=a, b=b)
    return render(request, "agreements/compare.html", {
        "agreement": agreement, "form": form, "diff": diff,
    }, status=200 if diff is not None else 422)
