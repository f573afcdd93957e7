"""The dashboard (catalogue, agreements and clock cards), the overdue-reviews page and the
health check.

Everything shown goes through the apps' ``visible_to`` scoping, so portal users see only
their own agreements (and no audit trail).
"""

import logging
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import AuditEntry
from accord.agreements import queries as agreement_queries
from accord.agreements.choices import AgreementKind, AgreementStatus, Party
from accord.agreements.models import TERMINAL, AgreementVersion
from accord.catalogue import queries as catalogue_queries
from accord.catalogue.choices import ServiceStatus
from accord.catalogue.models import Service
from accord.catalogue.views import audit_rows
from accord.escalation import queries as escalation_queries
from accord.escalation.choices import NotificationStatus
from accord.measurement.clock_queries import clocks_visible_to, open_counts
from accord.reporting.watermelons import watermelons

from .dashboard import figures as dashboard_figures

RECENT = 12

log = logging.getLogger("accord.health")


def health(request):
    """200 when the database answers, 503 otherwise. No authentication."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # The reason goes to the log, not to an anonymous caller (it may name hosts or paths).
        log.exception("health check: the database is unreachable")
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _services(user, agreements):
    """Services the user sees: the catalogue for staff, their agreements' services for
    portal users."""
    if user.is_portal:
        return Service.objects.filter(agreements__in=agreements).distinct()
    return catalogue_queries.visible_to(user, Service)


def _by_status(agreements) -> list[dict]:
    counts = dict(agreements.values_list("status").annotate(n=Count("id")).order_by())
    total = sum(counts.values()) or 1
    return [
        {"status": value, "label": label, "n": counts[value],
         "share": round(100 * counts[value] / total, 1)}
        for value, label in AgreementStatus.choices if counts.get(value)
    ]


def _awaiting_signature(agreements):
    """Draft versions of live agreements, oldest first, with who has approved them."""
    drafts = (
        AgreementVersion.objects.filter(frozen_at__isnull=True, agreement__in=agreements)
        .exclude(agreement__status__in=TERMINAL)
        .select_related("agreement__customer", "agreement__team", "agreement__supplier")
        .prefetch_related("approvals").order_by("created_at", "pk")
    )
    rows = []
    for version in drafts:
        signed = {a.party for a in version.approvals.all() if a.is_valid}
        rows.append({"version": version, "agreement": version.agreement,
                     "provider": Party.PROVIDER in signed,
                     "counterparty": Party.COUNTERPARTY in signed})
    return rows


def _overdue(agreements, now) -> list[dict]:
    overdue = agreement_queries.overdue_reviews(now)
    visible = set(agreements.filter(pk__in=[a.pk for a in overdue]).values_list("pk", flat=True))
    rows = []
    for agreement in overdue:
        if agreement.pk in visible:
            due = agreement_queries.next_review_due(agreement, now)
            rows.append({"agreement": agreement, "due": due, "days": (now - due).days})
    return sorted(rows, key=lambda r: r["due"])


_LINKS = {
    ("catalogue", "service"): "catalogue:service",
    ("catalogue", "calendar"): "catalogue:calendar",
    ("agreements", "agreement"): "agreements:detail",
}


def _recent_changes(limit: int = RECENT) -> list[dict]:
    """The newest audit rows, each with a link to its object where there is a page."""
    rows = audit_rows(AuditEntry.objects.select_related("content_type", "user")[:limit])
    version_ids = [r["entry"].object_id for r in rows
                   if r["entry"].content_type.model == "agreementversion"]
    agreement_of = dict(AgreementVersion.objects.filter(pk__in=version_ids)
                        .values_list("pk", "agreement_id"))
    for row in rows:
        entry = row["entry"]
        key = (entry.content_type.app_label, entry.content_type.model)
        row["url"] = None
        if key in _LINKS:
            row["url"] = reverse(_LINKS[key], args=[entry.object_id])
        elif key == ("agreements", "agreementversion") and int(entry.object_id) in agreement_of:
            row["url"] = reverse("agreements:detail", args=[agreement_of[int(entry.object_id)]])
    return rows


def _clock_cards(user, now) -> dict:
    """Open, breached and at-risk clocks as of ``now`` (``open_counts``: brought up to now,
    ended agreements left out) and dead letters in the outbox (staff only); the figures per
    SLA / OLA / UC come from ``dashboard.figures``."""
    counts = open_counts(clocks_visible_to(user), now)
    return {
        "open_clocks": counts["open"],
        "open_breached": counts["breached"],
        "at_risk": counts["at_risk"],
        "clocks_as_of": now,
        "dead_letters": None if user.is_portal else escalation_queries.notifications(
            user, NotificationStatus.DEAD).count(),
    }


@login_required
def dashboard(request):
    user, now = request.user, timezone.now()
    agreements = agreement_queries.visible_to(user)
    services = _services(user, agreements)
    by_status = _by_status(agreements)
    return render(request, "web/dashboard.html", {
        "now": now,
        "live_services": services.filter(status=ServiceStatus.LIVE).count(),
        "all_services": services.count(),
        "critical_live": services.filter(status=ServiceStatus.LIVE, criticality=1).count(),
        "by_status": by_status,
        "agreements_total": sum(s["n"] for s in by_status),
        "in_effect": sum(s["n"] for s in by_status if s["status"] in (
            AgreementStatus.ACTIVE, AgreementStatus.UNDER_REVIEW)),
        "awaiting": _awaiting_signature(agreements),
        "recent": None if user.is_portal else _recent_changes(),
        **_clock_cards(user, now),
        **dashboard_figures(user, agreements, now,
                            also={"overdue": lambda: _overdue(agreements, now),
                                  "watermelons": lambda: _watermelons(agreements, now)}),
    })


def _watermelons(agreements, now) -> list[dict]:
    """Last month's watermelon flags (SLA green, users unhappy, or the reverse) of the live
    SLAs this viewer may see, each read in its agreement's reporting zone."""
    last_month = (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    live = agreements.filter(kind=AgreementKind.SLA, status__in=(
        AgreementStatus.ACTIVE, AgreementStatus.UNDER_REVIEW))
    return watermelons(now, period=last_month, agreements=live)


@login_required
def overdue_reviews(request):
    now = timezone.now()
    rows = _overdue(agreement_queries.visible_to(request.user), now)
    return render(request, "web/overdue_reviews.html", {"now": now, "rows": rows})
