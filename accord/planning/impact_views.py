"""The change-impact page: pick a service or component (and optionally a planned window),
see what it touches before anything is saved; for a service, save the window as agreed
maintenance from here, optionally notifying the affected customers' contacts."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accord.accounts.auth import require
from accord.catalogue.models import Component, Service
from accord.catalogue.views import forbidden
from accord.lib.errors import DomainError, Forbidden, InvalidInput
from accord.measurement.services import create_maintenance_window, may_plan_maintenance

from .impact import impact
from .maintenance import notify_maintenance


def _instant(value: str, field: str, tz: str) -> datetime | None:
    """A ``datetime-local`` value read in ``tz`` (the viewer's zone), or None if empty."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field} must be a date and time, got {value!r}", field) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(tz))


def _int(value, field):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{field} must be an id", field) from None


@login_required
def impact_page(request):
    require(request, "view")
    data = request.GET
    tz = "UTC"
    context = {"services": Service.objects.order_by("name"),
               "components": Component.objects.order_by("name"), "tz": tz,
               "chosen": {k: data.get(k, "") for k in ("service", "component", "from", "to",
                                                       "description")},
               "result": None, "error": None}
    if data.get("service") or data.get("component"):
        try:
            start = _instant(data.get("from", ""), "from", tz)
            end = _instant(data.get("to", ""), "to", tz)
            result = impact(component=_int(data.get("component"), "component"),
                            service=_int(data.get("service"), "service"),
                            start=start, end=end, now=timezone.now())
        except DomainError as exc:
            context["error"] = f"{exc.field}: {exc.message}" if exc.field else exc.message
            return render(request, "planning/impact.html", context, status=422)
        service = (Service.objects.filter(pk=result["node"]["id"]).first()
                   if result["node"]["kind"] == "service" else None)
        context.update(result=result, may_save=bool(
            service and start and end and may_plan_maintenance(request.user, service)))
    return render(request, "planning/impact.html", context)


@login_required
def save_window(request):
    """Save the planned window as agreed maintenance (the impact was shown first). A GET
    (a bookmark, a crawler) goes to the impact page, where the window is planned."""
    if request.method != "POST":
        return redirect(reverse("planning:impact"))
    try:
        service = get_object_or_404(Service, pk=_int(request.POST.get("service"), "service"))
        if not may_plan_maintenance(request.user, service):
            raise Forbidden(f"your role ({request.user.role}) may not plan maintenance on "
                            f"{service}")
        tz = "UTC"
        window = create_maintenance_window({
            "service": service, "start": _instant(request.POST.get("from", ""), "from", tz),
            "end": _instant(request.POST.get("to", ""), "to", tz),
            "description": request.POST.get("description", "")}, user=request.user)
        text = f"Maintenance window saved on {service}."
        if request.POST.get("notify"):
            sent = notify_maintenance(window, by=request.user, now=timezone.now())
            text += f" Notice queued for {len(sent['notifications'])} contact(s)."
        messages.success(request, text)
    except Forbidden as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        messages.error(request, f"{exc.field}: {exc.message}" if exc.field else exc.message)
    query = "&".join(f"{k}={request.POST.get(k, '')}" for k in ("service", "from", "to"))
    return redirect(f"{reverse('planning:impact')}?{query}")
