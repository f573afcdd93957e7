"""Administrator pages for escalation policies and channels: lists, create and edit (with
their audit trails). Writes go through services/setup.py, so the page, the API and the
admin refuse the same things; refusals sit next to the field they name."""

from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Page:
    """What differs between the policy and the channel edit pages."""

    key: str  # the form's keyword and the template's name for the object
    model: type
    form: type
    create: Callable
    update: Callable
    template: str
    url: str  # the object's page, after a save
    what: str  # "Escalation policy", "Channel": the saved message
    refusal: str  # for a POST by someone who may not edit


POLICY = _Page("policy", EscalationPolicy, PolicyForm, setup.create_policy, setup.update_policy,
               "escalation/policy_form.html", "escalation:policy", "Escalation policy",
               "Only administrators change escalation policies.")
CHANNEL = _Page("channel", Channel, ChannelForm, setup.create_channel, setup.update_channel,
                "escalation/channel_form.html", "escalation:channel", "Channel",
                "Only administrators change channels.")


def _edit(request, page: _Page, pk: int | None):
    """Create (pk None) or edit one object through its form and the setup services; a
    refusal sits next to the field it names."""
    if refused := _refused(request):
        return refused
    obj = get_object_or_404(page.model, pk=pk) if pk is not None else None
    if request.method == "POST" and not _may(request.user):
        return forbidden(request, page.refusal)
    form = page.form(request.POST or None, **{page.key: obj})
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            if obj is None:
                obj = page.create(by=request.user, now=timezone.now(), **values)
            else:
                page.update(obj, by=request.user, **values)
        except DomainError as exc:
            form.add_error(form.field_of(exc.field), exc.message)
        else:
            messages.success(request, f"{page.what} “{values['name']}” saved.")
            return redirect(page.url, pk=obj.pk)
    return render(request, page.template, {
        "form": form, page.key: obj, "may_edit": _may(request.user),
        **(history_context(request.user, obj) if obj else {"history": None}),
    }, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk: int | None = None):
    return _edit(request, POLICY, pk)


@login_required
@require_http_methods(["GET", "POST"])
def channel_edit(request, pk: int | None = None):
    return _edit(request, CHANNEL, pk)
