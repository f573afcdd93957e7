"""Ticket and clock pages: lists with filters, and a ticket's events and SLA clocks with
their timelines. Read-only: tickets and clocks are derived from events, never edited here.
What a user sees comes from queries.py / clock_queries.py (``*_visible_to``)."""

from datetime import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accord.agreements import queries as agreement_queries
from accord.agreements.choices import AgreementKind
from accord.catalogue.models import Customer, Service
from accord.catalogue.views import filtered, page_of
from accord.lib.durations import business_duration, wall_duration

from .choices import ClockState, TicketStage
from .clock_queries import AT_RISK_PERCENT, clocks_visible_to, explain, filter_clocks
from .live import as_of
from .models import Clock
from .queries import (
    attribution_as_seen_by,
    events_as_seen_by,
    filter_tickets,
    portal_view,
    segments_as_seen_by,
    ticket_as_seen_by,
    tickets_visible_to,
)

PRIORITIES = [("P1", "P1"), ("P2", "P2"), ("P3", "P3"), ("P4", "P4")]


def human(seconds) -> str:
    """Business time as it reads on every page (``accord.lib.durations``)."""
    return business_duration(seconds)


def _any(choices):
    return [("", "Any"), *choices]


class TicketFilter(forms.Form):
    status = forms.CharField(required=False)
    priority = forms.ChoiceField(required=False, choices=_any(PRIORITIES))
    service = forms.ModelChoiceField(queryset=Service.objects.none(), required=False,
                                     empty_label="Any", to_field_name="name")
    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), required=False,
                                      empty_label="Any", to_field_name="name")
    open = forms.BooleanField(required=False, label="Open only")

    def __init__(self, *args, tickets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(
            pk__in=tickets.values("service")).order_by("name")
        self.fields["customer"].queryset = Customer.objects.filter(
            pk__in=tickets.values("customer")).order_by("name")


class ClockFilter(forms.Form):
    show = forms.ChoiceField(required=False, choices=[("", "Open"), ("all", "All")])
    state = forms.ChoiceField(required=False, choices=_any(ClockState.choices))
    breached = forms.BooleanField(required=False)
    at_risk = forms.BooleanField(required=False, label=f"At risk (≥ {AT_RISK_PERCENT:g} %)")
    agreement = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    service = forms.ModelChoiceField(queryset=Service.objects.none(), required=False,
                                     empty_label="Any", to_field_name="name")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = _any(
            (a.pk, f"{a.reference} {a.name}")
            for a in agreement_queries.visible_to(user).order_by("name"))
        self.fields["service"].queryset = Service.objects.filter(
            pk__in=tickets_visible_to(user).values("service")).order_by("name")


def _tickets_of(request, values):
    tickets = tickets_visible_to(request.user)
    return filter_tickets(
        tickets, status=values.get("status"), priority=values.get("priority"),
        service=getattr(values.get("service"), "name", None),
        customer=getattr(values.get("customer"), "name", None),
        stage=TicketStage.OPEN if values.get("open") else None,
    )


@login_required
def ticket_list(request):
    base = tickets_visible_to(request.user)
    form = TicketFilter(request.GET or None, tickets=base)
    values = {}
    if form.is_bound and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v not in ("", None, False)}
    visible = clocks_visible_to(request.user).select_related(None).only(
        "id", "ticket_id", "state", "metric", "percent", "stopped_at", "due_at")
    rows = _tickets_of(request, values).prefetch_related(
        Prefetch("clocks", queryset=visible.order_by("metric", "cycle"), to_attr="shown"))
    now = timezone.now()
    context = page_of(request, rows)
    for ticket in context["page"]:
        for clock in ticket.shown:  # as of now: a running clock past its due instant
            if clock.state == ClockState.RUNNING and clock.due_at and clock.due_at <= now:
                clock.state = ClockState.BREACHED
    return render(request, "measurement/ticket_list.html", {
        "form": form, **context, "now": now, "as_of": now,
    })


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def timeline(clock: Clock, view=None) -> dict:
    """The clock's running and paused segments as shares of its span, for a bar."""
    parts = [(_instant(s["start"]), _instant(s["end"]), s)
             for s in segments_as_seen_by(view, clock.segments)]
    if not parts:
        return {"segments": [], "start": clock.started_at, "end": clock.stopped_at}
    start, end = parts[0][0], parts[-1][1]
    span = max((end - start).total_seconds(), 1)
    segments = [{
        "state": s["state"], "holder": s.get("holder", ""), "start": a, "end": b,
        "wall": wall_duration((b - a).total_seconds()), "business": human(s.get("seconds", 0)),
        "share": round(100 * (b - a).total_seconds() / span, 3),
    } for a, b, s in parts]
    return {"segments": segments, "start": start, "end": end}


def clock_row(clock: Clock, view=None) -> dict:
    """One clock for the page; ``view`` (queries.portal_view) scopes it for a portal user."""
    warnings = sorted(((float(p), _instant(at)) for p, at in (clock.warnings or {}).items()))
    held = attribution_as_seen_by(view, clock.attribution or {})
    return {
        "clock": clock, "elapsed": human(clock.elapsed_seconds),
        "target": human(clock.target_seconds), "paused": human(clock.paused_seconds),
        "bar": min(100.0, clock.percent), "warnings": [(f"{p:g} %", at) for p, at in warnings],
        "timeline": timeline(clock, view), "explain": explain(clock),
        "attribution": [(holder, human(s)) for holder, s in held.items()],
        "at_risk": clock.state == ClockState.RUNNING and clock.percent >= AT_RISK_PERCENT,
    }


def promise(agreement) -> str:
    """Which promise an agreement is, in a few words: "SLA to Acme (customer)"."""
    party = agreement.counterparty
    if agreement.kind == AgreementKind.SLA:
        return f"SLA to {party} (customer)" if party else "SLA to all customers (corporate)"
    if agreement.kind == AgreementKind.OLA:
        return f"OLA with {party} (internal team)"
    return f"UC with {party} (supplier)"


def by_agreement(rows: list[dict]) -> list[dict]:
    """Clock rows grouped by their agreement, in order: one group per promise."""
    groups: dict[int, dict] = {}
    for row in rows:
        agreement = row["clock"].agreement
        group = groups.setdefault(agreement.pk, {
            "agreement": agreement, "promise": promise(agreement), "rows": []})
        group["rows"].append(row)
    return list(groups.values())


@login_required
def ticket_detail(request, pk: int):
    ticket = get_object_or_404(tickets_visible_to(request.user), pk=pk)
    view = portal_view(request.user)
    events = events_as_seen_by(request.user, ticket, view)
    ticket = ticket_as_seen_by(request.user, ticket, view)
    now = timezone.now()
    clocks = as_of(clocks_visible_to(request.user).filter(ticket=ticket)
                   .select_related("version", "calendar").order_by("kind", "agreement__name",
                                                                    "metric", "cycle"), now)
    rows = [clock_row(c, view) for c in clocks]
    groups = by_agreement(rows)
    return render(request, "measurement/ticket_detail.html", {
        "ticket": ticket, "events": events,
        "clocks": rows, "groups": groups, "now": now, "as_of": now,
        "sla_count": sum(g["agreement"].kind == AgreementKind.SLA for g in groups),
        "summary": (ticket.payload or {}).get("summary", ""),
    })


@login_required
def clock_list(request):
    form, values = filtered(lambda data: ClockFilter(data, user=request.user), request)
    clocks = filter_clocks(
        clocks_visible_to(request.user), state=values.get("state"),
        breached=True if values.get("breached") else None, at_risk=values.get("at_risk"),
        agreement=values.get("agreement"), service=getattr(values.get("service"), "name", None),
    ).select_related("ticket__service", "ticket__customer")
    if values.get("show") == "all":
        clocks = clocks.order_by("-started_at", "-id")
    else:
        clocks = clocks.filter(stopped_at__isnull=True).exclude(state=ClockState.CANCELLED)
        clocks = clocks.order_by(F("due_at").asc(nulls_last=True), "-percent", "id")
    now = timezone.now()
    context = page_of(request, clocks)
    view = portal_view(request.user)
    context["rows"] = [clock_row(c, view) for c in as_of(context["page"], now)]
    return render(request, "measurement/clock_list.html", {
        "form": form, "now": now, "as_of": now, "at_risk_percent": AT_RISK_PERCENT,
        **context,
    })
