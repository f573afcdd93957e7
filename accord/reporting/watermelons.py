"""Watermelon flags across agreements, for the dashboard and the service page.

The flags themselves are computed inside the one compliance function (the ``watermelon``
list of ``compliance_report``; rules in ``accord.experience.watermelon``); this gathers them
for the live agreements with a signed version in force, of one service if asked.
"""

from datetime import datetime

from django.db.models import Q

from accord.agreements.choices import AgreementKind
from accord.agreements.models import Agreement
from accord.agreements.queries import LIVE

from .compliance import compliance_report
from .periods import Period


def watermelons(now: datetime, *, period: str | None = None, service=None,
                agreements=None) -> list[dict]:
    """Flags of the month containing ``now`` (or ``period``, e.g. "2025-03", read in each
    agreement's reporting zone) for SLAs in ``agreements`` (default: every live SLA), only
    those about ``service`` (a Service; flags about the whole agreement count too)."""
    found = agreements if agreements is not None else Agreement.objects.filter(
        kind=AgreementKind.SLA, status__in=LIVE, versions__frozen_at__isnull=False).distinct()
    if service is not None:
        found = found.filter(Q(services=service) | Q(services__isnull=True)).distinct()
    flags = []
    for agreement in found.select_related("calendar", "customer"):
        tz = agreement.reporting_zone
        when = Period.parse(period, tz=tz) if period else Period.containing("month", now, tz)
        for flag in compliance_report(agreement, when, now=now)["watermelon"]:
            if service is None or flag["service"] in (None, service.name):
                flags.append(flag)
    return flags
