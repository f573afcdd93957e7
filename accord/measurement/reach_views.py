"""The target form's reach preview (an htmx partial): "this target would have applied to
412 tickets in the last 30 days". Lives here, above agreements, because it counts tickets."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accord.agreements import queries as agreement_queries
from accord.agreements.choices import Metric
from accord.agreements.models import Target
from accord.catalogue.models import Service
from accord.catalogue.views import forbidden

from .reach import WINDOW, reach


@login_required
@require_POST
def target_reach(request, pk: int):
    agreement = get_object_or_404(agreement_queries.visible_to(request.user), pk=pk)
    if request.user.is_portal or not request.user.can("change_agreement"):
        return forbidden(request, "Only service level managers preview targets.")
    data = request.POST
    service = None
    if data.get("service", "").isdigit():
        service = Service.objects.filter(pk=int(data["service"])).first()
    target = Target(metric=data.get("metric") or Metric.RESOLUTION, service=service,
                    ticket_type=(data.get("ticket_type") or "").strip()[:64],
                    priority=(data.get("priority") or "").strip()[:32])
    now = timezone.now()
    return render(request, "measurement/_reach.html", {
        "n": reach(agreement, target, until=now), "days": WINDOW.days, "target": target,
        "scope": target.describe_key(), "agreement": agreement,
    })
