"""Administrator pages for escalation policies and channels: lists, create and edit (with
their audit trails). Writes go through services/setup.py, so the page, the API and the
admin refuse the same things; refusals sit next to the field they name."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accord.catalogue.views import forbidden, history_context
from accord.lib.errors import DomainError

from . import queries
from .forms import ChannelForm, PolicyForm
from .models import Channel, EscalationPolicy
from .services import setup

PERMISSION = "change_policy"


def _refused(request):
    if request.user.is_portal:
        return forbidden(request, "Escalation policies and channels are internal.")
    return None


def _may(user) -> bool:
    return user.can(PERMISSION) and not user.is_portal


@login_required
def policy_list(request):
    if refused := _refused(request):
        return refused
    return render(request, "escalation/policy_list.html", {
        "policies": queries.policies(request.user).select_related("agreement", "target"),
        "channels": queries.channels(request.user), "may_edit": _may(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk: int | None = None):
    if refused := _refused(request):
        return refused
    policy = get_object_or_404(EscalationPolicy, pk=pk) if pk is not None else None
    if request.method == "POST" and not _may(request.user):
        return forbidden(request, "Only administrators change escalation policies.")
    form = PolicyForm(request.POST or None, policy=policy)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            if policy is None:
                policy = setup.create_policy(by=request.user, now=timezone.now(), **values)
            else:
                setup.update_policy(policy, by=request.user, **values)
        except DomainError as exc:
            form.add_error(form.field_of(exc.field), exc.message)
        else:
            messages.success(request, f"Escalation policy “{values['name']}” saved.")
            return redirect("escalation:policy", pk=policy.pk)
    return render(request, "escalation/policy_form.html", {
        "form": form, "policy": policy, "may_edit": _may(request.user),
        **(history_context(request.user, policy) if policy else {"history": None}),
    }, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def channel_edit(request, pk: int | None = None):
    if refused := _refused(request):
        return refused
    channel = get_object_or_404(Channel, pk=pk) if pk is not None else None
    if request.method == "POST" and not _may(request.user):
        return forbidden(request, "Only administrators change channels.")
    form = ChannelForm(request.POST or None, channel=channel)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            if channel is None:
                channel = setup.create_channel(by=request.user, now=timezone.now(), **values)
            else:
                setup.update_channel(channel, by=request.user, **values)
        except DomainError as exc:
            form.add_error(form.field_of(exc.field), exc.message)
        else:
            messages.success(request, f"Channel “{values['name']}” saved.")
            return redirect("escalation:channel", pk=channel.pk)
    return render(request, "escalation/channel_form.html", {
        "form": form, "channel": channel, "may_edit": _may(request.user),
        **(history_context(request.user, channel) if channel else {"history": None}),
    }, status=422 if form.errors else 200)
