"""The reports page: pick an agreement and a period, read its service report, download it in
each format. Portal users see exactly their own agreements (``visible_to``): any other id is
a 404, as if it did not exist."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accord.agreements import queries as agreement_queries
from accord.agreements.models import Agreement
from accord.catalogue import queries as catalogue_queries
from accord.catalogue.models import Service
from accord.lib.errors import InvalidInput

from . import service_report
from .document import period_title
from .exports import FORMATS
from .overview import month_rows
from .periods import Period

# The documents first, then the compliance JSON and CSV (exports.FORMATS).
DOCUMENT_FORMATS = tuple(service_report.RENDERERS)


def export_formats() -> dict:
    return {name: fmt for name, fmt in FORMATS.items() if name not in DOCUMENT_FORMATS}


def _agreement(user, pk):
    try:
        return agreement_queries.visible_to(user).select_related(
            "customer", "team", "supplier", "owner").get(pk=int(pk))
    except (ValueError, TypeError, Agreement.DoesNotExist) as exc:
        raise Http404("no such agreement") from exc


def last_month(now) -> Period:
    return Period.containing("month", now).shift(-1)


@login_required
def reports(request):
    now = timezone.now()
    agreements = agreement_queries.visible_to(request.user).order_by("kind", "pk")
    context = {"agreements": agreements, "doc": None, "error": None, "now": now,
               "period_text": request.GET.get("period") or last_month(now).label,
               "formats": [*DOCUMENT_FORMATS, *export_formats()],
               # A missed objective links to its investigation (reviews' page; internal).
               "investigate": not request.user.is_portal}
    status = 200
    if "agreement" in request.GET:
        agreement = _agreement(request.user, request.GET["agreement"])
        context["agreement"] = agreement
        try:
            period = Period.parse(context["period_text"], tz=agreement.reporting_zone)
            context["period"] = period
            context["doc"] = service_report.build(agreement, period, now)
        except InvalidInput as exc:
            context["error"], status = exc.message, 422
    return render(request, "reporting/reports_page.html", context, status=status)


@login_required
def download(request, pk: int, label: str, fmt: str):
    agreement = _agreement(request.user, pk)
    try:
        period = Period.parse(label, tz=agreement.reporting_zone)
    except InvalidInput as exc:
        return HttpResponse(exc.message, status=422,
                            content_type="text/plain; charset=utf-8")
    now = timezone.now()
    if fmt in service_report.RENDERERS:
        content, content_type, name = service_report.render(agreement, period, fmt, now)
    elif fmt in export_formats():
        export = export_formats()[fmt]
        content = export.render(service_report.compliance(agreement, period, now))
        content_type, name = export.content_type, service_report.file_name(
            agreement, period, export.extension)
    else:
        raise Http404(f"no format {fmt}")
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if fmt == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


@login_required
def service_compliance(request, pk: int):
    """The service page's section (loaded into it by htmx): this month's compliance and
    availability of the agreements naming the service that the user may see."""
    service = get_object_or_404(catalogue_queries.visible_to(request.user, Service), pk=pk)
    now = timezone.now()
    agreements = agreement_queries.visible_to(request.user).filter(services=service)
    month, live, targets_of, availability_of = month_rows(agreements, now)
    rows = []
    for agreement in live:
        targets = [r for r in targets_of.get(agreement.reference, [])
                   if r.get("service") in (None, service.name)]
        availability = [r for r in availability_of.get(agreement.reference, [])
                        if r.get("service_id") == service.pk]
        rows.append({"agreement": agreement, "targets": targets, "availability": availability})
    return render(request, "reporting/_service_compliance.html", {
        "service": service, "rows": rows, "month": month,
        "month_title": period_title(month)})
