"""``GET /metrics`` in the Prometheus text format (prometheus-client).

Allowed for a Bearer token whose user may view (internal roles: the figures cover every
agreement, so portal users are refused) and for client addresses inside
``ACCORD_METRICS_ALLOW`` (CIDRs); anonymous callers get 401.

Gauges, for the current and the previous objective period of each target (``period`` is its
label in the agreement's reporting zone: 2025-03, 2025-Q1, 2025), from ``compliance_report``:
``accord_target_compliance_ratio{agreement,target,period}``,
``accord_breaches{agreement,metric,priority,period}``,
``accord_availability_ratio{agreement,target,service,period}``; and
``accord_clocks{state}``, ``accord_outbox_pending``, ``accord_outbox_dead``,
``accord_worker_lag_seconds`` (now − the oldest due ``next_event_at`` not yet handled).
"""

import ipaddress
from collections import Counter, defaultdict
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Min
from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from accord.accounts.services import authenticate_token
from accord.agreements.choices import DURATION_METRICS, Metric
from accord.agreements.inheritance import effective_targets, effective_targets_many
from accord.agreements.models import Agreement
from accord.agreements.queries import LIVE
from accord.escalation.choices import NotificationStatus
from accord.escalation.models import Notification
from accord.measurement.choices import ClockState
from accord.measurement.models import Clock

from .compliance import period_rows
from .periods import Period


def allowed_networks() -> list:
    networks = []
    for text in getattr(settings, "ACCORD_METRICS_ALLOW", []):
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"ACCORD_METRICS_ALLOW: {text!r} is not a network such as 10.0.0.0/8") from None
    return networks


def authorised(request) -> int:
    """200 if the caller may read the metrics, else 401 (no or a bad token) or 403."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token = authenticate_token(header[7:].strip())
        if token is None:
            return 401
        user = token.user
        return 200 if user.can("view") and not user.is_portal else 403
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return 401
    return 200 if any(address in network for network in allowed_networks()) else 401


def period_kinds(agreement: Agreement, now: datetime, effective=None) -> set[str]:
    """The objective period kinds (month, quarter, year) of the agreement's targets in force
    (``effective``: its effective targets now, if already read)."""
    found = effective_targets(agreement, now) if effective is None else effective
    return {e.target.period for e in found
            if e.target.metric in DURATION_METRICS
            or e.target.metric in (Metric.AVAILABILITY, Metric.EXPERIENCE)}


def _effective_now(agreements, now: datetime) -> dict[int, list]:
    """Per agreement pk, its effective targets now (one query for all their targets)."""
    in_force = [(a, a.version_in_force(now)) for a in agreements]
    pairs = [(version, now) for _, version in in_force if version is not None]
    found = iter(effective_targets_many(pairs))
    return {a.pk: (next(found) if version is not None else []) for a, version in in_force}


def collect(now: datetime) -> CollectorRegistry:
    registry = CollectorRegistry()
    compliance = Gauge("accord_target_compliance_ratio",
                       "Share of counted clocks that met the target (net of exclusions).",
                       ["agreement", "target", "period"], registry=registry)
    breaches = Gauge("accord_breaches", "Breached clocks counted in the period.",
                     ["agreement", "metric", "priority", "period"], registry=registry)
    availability = Gauge("accord_availability_ratio",
                         "Available share of agreed service time, against the target's "
                         "calendar.", ["agreement", "target", "service", "period"],
                         registry=registry)
    experience = Gauge("accord_experience_value",
                       "An experience (XLA) target's measure in the period (its unit: the "
                       "measure's, e.g. CSAT 1-5, NPS -100..100, %).",
                       ["agreement", "target", "period"], registry=registry)
    agreements = (Agreement.objects.filter(status__in=LIVE, versions__frozen_at__isnull=False)
                  .distinct().select_related("calendar", "customer")
                  .prefetch_related("versions"))
    # Agreements sharing a reporting zone and an objective period kind share one aggregation
    # per period (the current and the previous one).
    groups: dict[tuple, list] = defaultdict(list)
    agreements = list(agreements)
    effective = _effective_now(agreements, now)
    for agreement in agreements:
        for kind in period_kinds(agreement, now, effective[agreement.pk]):
            groups[(kind, agreement.reporting_zone)].append(agreement)
    for (kind, tz), members in sorted(groups.items()):
        current = Period.containing(kind, now, tz)
        for period in (current.shift(-1), current):
            target_rows, availability_rows, _ = period_rows(members, period, now)
            counted = Counter()
            for row in target_rows:
                if row["metric"] == Metric.EXPERIENCE:
                    if row["objective_period"] == kind and row["value"] is not None:
                        experience.labels(row["agreement"], str(row["target"]), period.label
                                          ).set(row["value"])
                    continue
                if row["objective_period"] == kind and row["compliance_percent"] is not None:
                    compliance.labels(row["agreement"], str(row["target"]), period.label
                                      ).set(row["compliance_percent"] / 100)
                counted[(row["agreement"], row["metric"], row["priority"] or "")] += \
                    row["breached"]
            for (reference, metric, priority), n in sorted(counted.items()):
                breaches.labels(reference, metric, priority, period.label).set(n)
            for row in availability_rows:
                if row["measured_percent"] is not None:
                    availability.labels(row["agreement"], str(row["target"]), row["service"],
                                        period.label).set(row["measured_percent"] / 100)
    clocks = Gauge("accord_clocks", "Stored clocks by state.", ["state"], registry=registry)
    by_state = dict(Clock.objects.order_by().values_list("state").annotate(n=Count("id")))
    for state in ClockState.values:
        clocks.labels(state).set(by_state.get(state, 0))
    outbox = dict(Notification.objects.order_by().values_list("status")
                  .annotate(n=Count("id")))
    Gauge("accord_outbox_pending", "Notifications waiting to be delivered.",
          registry=registry).set(outbox.get(NotificationStatus.PENDING, 0)
                                 + outbox.get(NotificationStatus.SENDING, 0))
    Gauge("accord_outbox_dead", "Notifications whose retries are used up (dead letters).",
          registry=registry).set(outbox.get(NotificationStatus.DEAD, 0))
    oldest = Clock.objects.filter(next_event_at__isnull=False, next_event_at__lte=now
                                  ).aggregate(oldest=Min("next_event_at"))["oldest"]
    Gauge("accord_worker_lag_seconds", "Now minus the oldest due clock instant not yet "
          "handled by the worker (0 when none is due).", registry=registry).set(
        (now - oldest).total_seconds() if oldest else 0)
    return registry


def metrics_view(request):
    from django.utils import timezone

    status = authorised(request)
    if status != 200:
        response = HttpResponse("authentication required: send 'Authorization: Bearer "
                                "<token>'\n" if status == 401 else "forbidden\n",
                                status=status, content_type="text/plain")
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="accord"'
        return response
    return HttpResponse(generate_latest(collect(timezone.now())),
                        content_type=CONTENT_TYPE_LATEST)
