"""REST endpoints: ``GET /reports/compliance`` and ``GET /reports/kpis``.

Everyone with the view permission may call them; portal users (customer, supplier) get only
their own agreements (another's is "not found", as everywhere). Bad periods are 422 naming
the field (``month``, ``quarter`` or ``year``); an unknown agreement is 404.
"""

from django.http import JsonResponse
from django.utils import timezone
from ninja import Router

from accord.accounts.auth import require
from accord.agreements.choices import AgreementKind

from . import queries
from .compliance import compliance_report
from .kpis import kpis as kpi_block
from .periods import period_from
from .schemas import ComplianceOut, KpisOut

router = Router(tags=["reports"])


@router.get("/reports/compliance", response=ComplianceOut)
def compliance(request, agreement: str | None = None, month: str | None = None,
               quarter: str | None = None, year: str | None = None,
               include_children: bool = False):
    """Period compliance of one agreement (reference like SLA-0001, or id) for one month
    (2025-03), quarter (2025-Q1) or year (2025) in its reporting time zone."""
    user = require(request, "view")
    found = queries.find_agreement(agreement, user)
    period = period_from(month, quarter, year, tz=found.reporting_zone)
    # Returned as built (the schema documents it): the CLI's JSON is the same object.
    return JsonResponse(compliance_report(found, period, now=timezone.now(),
                                          include_children=include_children))


@router.get("/reports/kpis", response=KpisOut)
def kpis(request, month: str | None = None, quarter: str | None = None,
         year: str | None = None, customer: str | None = None):
    """The KPIs across the SLAs in force during the period (of one customer, by name or id,
    when given), in the customer's time zone (else UTC)."""
    user = require(request, "view")
    agreements = queries.slas(queries.visible_agreements(user))
    found = None
    tz = "UTC"
    if customer:
        found = queries.find_customer(customer, user)
        agreements = agreements.filter(customer=found)
        tz = found.tz or "UTC"
    period = period_from(month, quarter, year, tz=tz)
    chosen = list(queries.in_force(agreements, period.start_utc, period.end_utc))
    services = None
    if found is not None:
        from accord.catalogue.models import Service

        services = Service.objects.filter(agreements__in=[a.pk for a in chosen]).distinct()
    now = timezone.now()
    return JsonResponse({
        "period": period.as_json(), "customer": found.name if found else None,
        "agreements": [a.reference for a in chosen if a.kind == AgreementKind.SLA],
        "kpis": kpi_block(chosen, period, now, services=services)})
