"""Catalogue pages: services (list, detail, edit), components, parties and calendars.

Views parse and authorise, then call one function of services.py / calendars.py (the only
writers); what a user may see comes from queries.py. Also home to the small helpers every
app's pages share (403 page, pagination, audit rows).
"""

import json
from datetime import date

import holidays as public_holidays
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accord.accounts.sentences import sentences
from accord.accounts.services import history
from accord.lib.errors import DomainError, Forbidden

from . import calendars, dependencies, queries, services
from .api_common import service_editor
from .forms import (
    DAY_NAMES,
    CalendarForm,
    ComponentFilter,
    NameFilter,
    ServiceFilter,
    ServiceForm,
    format_spans,
)
from .models import DAYS, Calendar, Service

PER_PAGE = 50

# --- helpers shared with the other apps' pages ----------------------------------------------


def forbidden(request, message: str):
    """The 403 page, saying what was refused."""
    return render(request, "web/forbidden.html", {"message": message}, status=403)


def page_of(request, rows, per_page: int = PER_PAGE) -> dict:
    """``page`` (a Paginator page of ``rows``) and ``query`` (the filters, to keep in links)."""
    query = request.GET.copy()
    query.pop("page", None)
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    return {"page": page, "query": query.urlencode()}


def filtered(form_class, request):
    """The filter form bound to the query string, and its valid values (bad ones ignored)."""
    form = form_class(request.GET or None)
    values = {}
    if form.is_bound:
        form.is_valid()
        values = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in ("", None)}
    return form, values


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    else:
        text = str(value)
    return text if len(text) <= 160 else text[:157] + "…"


def audit_rows(entries) -> list[dict]:
    """Audit entries made readable: a sentence (accounts' renderer, the same on every page)
    and, for the details toggle, each raw change as (field, old, new)."""
    rows, entries = [], list(entries)
    for entry, text in zip(entries, sentences(entries), strict=True):
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        pairs = []
        for field, value in changes.items():
            old, new = value if isinstance(value, list) and len(value) == 2 else (None, value)
            pairs.append((field, _shown(old), _shown(new)))
        rows.append({"entry": entry, "changes": pairs, "sentence": text})
    return rows


def history_context(user, obj, limit: int = 50) -> dict:
    """The audit trail of ``obj`` for staff; portal users do not see audit trails."""
    if user.is_portal:
        return {"history": None}
    return {"history": audit_rows(history(obj)[:limit])}


def hours_summary(calendar: Calendar) -> str:
    """"Mon–Fri 09:00–17:00; Sat 10:00–14:00" (consecutive days with equal hours merged)."""
    if calendar.always_open:
        return "24x7"
    runs = []
    for day in DAYS:
        spans = format_spans(calendar.hours.get(day, []))
        if runs and runs[-1][2] == spans:
            runs[-1][1] = day
        else:
            runs.append([day, day, spans])
    parts = [
        (a.title() if a == b else f"{a.title()}–{b.title()}") + f" {spans}"
        for a, b, spans in runs if spans
    ]
    return "; ".join(parts) or "never open"


# --- services -------------------------------------------------------------------------------


@login_required
def service_list(request):
    form, values = filtered(ServiceFilter, request)
    rows = queries.services(request.user, **values).annotate(
        n_agreements=Count("agreements", distinct=True)
    ).order_by("name")
    return render(request, "catalogue/services.html", {
        "form": form, "may_add": request.user.can("change_catalogue"), **page_of(request, rows),
    })


def dependency_rows(service: Service) -> list[dict]:
    """The dependency tree as indented rows: {depth, type, name, id, detail}."""
    rows = []

    def walk(nodes, depth):
        for node in nodes:
            if node["type"] == "redundant":
                rows.append({"depth": depth, "type": "group", "name": node["name"],
                             "detail": f"{node['min_up']} of {len(node['members'])} must be up"})
                walk(node["members"], depth + 1)
            elif node["type"] == "service":
                rows.append({"depth": depth, "type": "service", "name": node["name"],
                             "id": node["id"], "status": node["status"]})
                walk(node["depends_on"], depth + 1)
            else:
                rows.append({"depth": depth, "type": "component", "name": node["name"],
                             "detail": node["kind"].replace("_", " ")})

    walk(dependencies.dependency_outline(service)["depends_on"], 0)
    return rows


@login_required
def service_detail(request, pk: int):
    service = get_object_or_404(
        queries.visible_to(request.user, Service).select_related("owner", "calendar"), pk=pk
    )
    try:
        tree, tree_error = dependency_rows(service), ""
    except DomainError as exc:
        tree, tree_error = [], exc.message
    return render(request, "catalogue/service_detail.html", {
        "service": service,
        "may_edit": service.may_be_changed_by(request.user),
        "tree": tree, "tree_error": tree_error,
        "needed_by": service.dependents.select_related("service").order_by("service__name"),
        # Agreements naming the service (the agreements list, filtered by service, adds
        # the SLAs that cover every service). Services are for staff, who see every agreement.
        "agreements": service.agreements.select_related("customer", "team", "supplier"),
        **history_context(request.user, service),
    })


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request, pk: int):
    service = get_object_or_404(queries.visible_to(request.user, Service), pk=pk)
    if not service.may_be_changed_by(request.user):
        return forbidden(request, f"Your role ({request.user.get_role_display()}) may not "
                                  f"change {service.name}.")
    may_reassign = request.user.can("change_catalogue")
    form = ServiceForm(request.POST or None, service=service, may_reassign=may_reassign)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        if not may_reassign:
            changes.pop("owner")
        try:
            by = service_editor(request, service, changes)
            services.update(service, by=by, **changes)
        except Forbidden as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{service.name} saved.")
            return redirect("catalogue:service", pk=service.pk)
    status = 422 if form.errors else 200
    return render(request, "catalogue/service_edit.html",
                  {"service": service, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def service_new(request):
    if not request.user.can("change_catalogue") or request.user.is_portal:
        return forbidden(request, "Only service level managers add services to the catalogue.")
    form = ServiceForm(request.POST or None, service=None, may_reassign=True)
    if request.method == "POST" and form.is_valid():
        try:
            service = services.create_service(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{service.name} added to the catalogue.")
            return redirect("catalogue:service", pk=service.pk)
    return render(request, "catalogue/service_edit.html", {"service": None, "form": form},
                  status=422 if form.errors else 200)


# --- components and parties -----------------------------------------------------------------


@login_required
def component_list(request):
    form, values = filtered(ComponentFilter, request)
    rows = queries.components(request.user, **values).annotate(
        n_dependents=Count("dependents__service", distinct=True)).order_by("name")
    return render(request, "catalogue/components.html", {"form": form, **page_of(request, rows)})


@login_required
def customer_list(request):
    form, values = filtered(NameFilter, request)
    rows = queries.customers(request.user, **values).select_related("calendar").annotate(
        n_agreements=Count("agreements", distinct=True)).order_by("name")
    return render(request, "catalogue/customers.html", {"form": form, **page_of(request, rows)})


@login_required
def team_list(request):
    form, values = filtered(NameFilter, request)
    rows = queries.teams(request.user, **values).select_related("calendar").annotate(
        n_agreements=Count("agreements", distinct=True)).order_by("name")
    return render(request, "catalogue/teams.html", {"form": form, **page_of(request, rows)})


@login_required
def supplier_list(request):
    form, values = filtered(NameFilter, request)
    rows = queries.suppliers(request.user, **values).select_related("calendar").annotate(
        n_components=Count("components", distinct=True),
        n_agreements=Count("agreements", distinct=True)).order_by("name")
    return render(request, "catalogue/suppliers.html", {"form": form, **page_of(request, rows)})


# --- calendars ------------------------------------------------------------------------------


@login_required
def calendar_list(request):
    form, values = filtered(NameFilter, request)
    rows = queries.calendars(request.user, **values).annotate(
        n_services=Count("services")).order_by("name")
    page = page_of(request, rows)
    for calendar in page["page"]:
        calendar.summary = hours_summary(calendar)
    return render(request, "catalogue/calendars.html", {
        "form": form, "may_edit": request.user.can("change_calendar"), **page,
    })


def _public_holidays(calendar: Calendar, year: int) -> list[tuple[date, str]]:
    if not calendar.country:
        return []
    try:
        found = public_holidays.country_holidays(
            calendar.country, subdiv=calendar.subdivision or None, years=year)
    except (NotImplementedError, KeyError):
        return []
    return sorted(found.items())


@login_required
def calendar_detail(request, pk: int):
    calendar = get_object_or_404(queries.visible_to(request.user, Calendar), pk=pk)
    year = timezone.localdate().year
    hours = [(DAY_NAMES[d], "00:00–24:00" if calendar.always_open
              else format_spans(calendar.hours.get(d, [])) or "closed") for d in DAYS]
    return render(request, "catalogue/calendar_detail.html", {
        "calendar": calendar, "hours": hours, "summary": hours_summary(calendar),
        "year": year, "public_holidays": _public_holidays(calendar, year),
        "exceptions": [(day, format_spans(spans) or "closed")
                       for day, spans in sorted(calendar.exceptions.items())],
        "closures": calendar.closures[:50],
        "services": calendar.services.all() if not request.user.is_portal else [],
        "may_edit": request.user.can("change_calendar"),
        "may_recompute": request.user.can("change_agreement") and not request.user.is_portal,
        **history_context(request.user, calendar),
    })


@login_required
@require_http_methods(["GET", "POST"])
def calendar_new(request):
    if not request.user.can("change_calendar"):
        return forbidden(request, "Only administrators create calendars.")
    form = CalendarForm(request.POST or None, calendar=None)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = calendars.create_calendar(by=request.user, **form.changes())
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Calendar {calendar.name} created.")
            return redirect("catalogue:calendar", pk=calendar.pk)
    return render(request, "catalogue/calendar_edit.html", {"calendar": None, "form": form},
                  status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request, pk: int):
    calendar = get_object_or_404(queries.visible_to(request.user, Calendar), pk=pk)
    if not request.user.can("change_calendar"):
        return forbidden(request, "Only administrators change calendars.")
    form = CalendarForm(request.POST or None, calendar=calendar)
    if request.method == "POST" and form.is_valid():
        try:
            calendars.update_calendar(calendar, by=request.user, **form.changes())
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Calendar {calendar.name} saved (version "
                                      f"{calendar.version}).")
            return redirect("catalogue:calendar", pk=calendar.pk)
    status = 422 if form.errors else 200
    return render(request, "catalogue/calendar_edit.html",
                  {"calendar": calendar, "form": form}, status=status)
