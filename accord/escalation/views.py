"""Outbox and escalation pages: notifications (with the dead letters, retried by hand) and
fired escalation steps (acknowledged by hand). Escalation data is internal: portal users
get a 403. Writes go through services.py; the permission is checked on every POST."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accord.catalogue.views import filtered, forbidden, page_of
from accord.lib.errors import DomainError

from . import queries, services
from .choices import Level, NotificationStatus

# Who may put a dead letter back in the outbox / acknowledge an escalation (as the API).
RETRY_PERMISSIONS = ("change_policy", "run_reviews")
ACK_PERMISSION = "change_own_service"


def may_retry(user) -> bool:
    return not user.is_portal and any(user.can(p) for p in RETRY_PERMISSIONS)


def may_acknowledge(user) -> bool:
    return not user.is_portal and user.can(ACK_PERMISSION)


class NotificationFilter(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any"),
                                                        *NotificationStatus.choices])


class EscalationFilter(forms.Form):
    level = forms.ChoiceField(required=False, choices=[("", "Any"), *Level.choices])
    open = forms.BooleanField(required=False, label="Undecided only")


def _internal(request):
    return None if not request.user.is_portal else forbidden(
        request, "Notifications and escalations are internal to the provider.")


@login_required
def notification_list(request):
    if refused := _internal(request):
        return refused
    form, values = filtered(NotificationFilter, request)
    rows = queries.notifications(request.user, values.get("status"))
    dead = queries.notifications(request.user, NotificationStatus.DEAD).count()
    return render(request, "escalation/notification_list.html", {
        "form": form, "dead": dead, "may_retry": may_retry(request.user),
        "status": values.get("status", ""), **page_of(request, rows),
    })


@login_required
@require_POST
def notification_retry(request, pk: int):
    if refused := _internal(request):
        return refused
    notification = get_object_or_404(queries.notifications(request.user), pk=pk)
    if not may_retry(request.user):
        return forbidden(request, "Only service level managers and administrators may retry "
                                  "a dead letter.")
    try:
        services.retry_dead(notification, by=request.user, now=timezone.now())
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{notification.subject}” is back in the outbox.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "escalation:notifications"  # never send the user off-site
    return redirect(back)


@login_required
def escalation_list(request):
    if refused := _internal(request):
        return refused
    form, values = filtered(EscalationFilter, request)
    rows = queries.escalations(request.user, values.get("level"), bool(values.get("open")))
    return render(request, "escalation/escalation_list.html", {
        "form": form, "may_acknowledge": may_acknowledge(request.user),
        **page_of(request, rows.select_related("clock__ticket")),
    })


@login_required
@require_POST
def escalation_acknowledge(request, pk: int):
    if refused := _internal(request):
        return refused
    escalation = get_object_or_404(queries.escalations(request.user), pk=pk)
    if not may_acknowledge(request.user):
        return forbidden(request, "Only service owners and above may acknowledge escalations.")
    try:
        services.acknowledge(escalation, by=request.user, now=timezone.now())
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Acknowledged “{escalation.subject}”.")
    return redirect("escalation:escalations")
