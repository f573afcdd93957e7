"""The connector pages (administrators only): the list with a form for a new connector, and
one connector's page: setup instructions for its desk, the URL and secret to paste, "send
test event", recent deliveries, dead letters with replay, the mapping editor and the pull
sync settings. Every write goes through services.py."""

import json
import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accord.catalogue.views import forbidden
from accord.lib.errors import DomainError

from . import queries, services
from .choices import ConnectorKind
from .samples import send_test
from .setup import SETUP

PERMISSION = "manage_connectors"
RECENT = 20


class NewConnectorForm(forms.Form):
    kind = forms.ChoiceField(choices=ConnectorKind.choices)
    name = forms.CharField(max_length=100)
    source = forms.CharField(max_length=64, help_text="The event source its events carry.")
    secret = forms.CharField(max_length=200,
                             help_text="Zendesk: paste the signing secret Zendesk shows.")


class SettingsForm(forms.Form):
    enabled = forms.BooleanField(required=False)
    base_url = forms.CharField(required=False, max_length=200, label="Base URL")
    sync_interval_minutes = forms.IntegerField(min_value=0, max_value=10080,
                                               label="Pull every (minutes, 0: never)")
    credentials = forms.CharField(required=False, widget=forms.PasswordInput,
                                  help_text="JSON; blank keeps the stored credentials.")


def _admin_only(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.can(PERMISSION):
            return forbidden(request, "Connectors are managed by administrators.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


@_admin_only
def connector_list(request):
    form = NewConnectorForm(request.POST or None,
                            initial={"secret": secrets.token_urlsafe(24)})
    if request.method == "POST" and form.is_valid():
        try:
            connector = services.create_connector(by=request.user, now=timezone.now(),
                                                  **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Connector “{connector.name}” created: paste its "
                                      "URL and secret into the desk.")
            return redirect("connectors:detail", pk=connector.pk)
    return render(request, "connectors/connector_list.html", {
        "connectors": queries.connectors(), "form": form})


@_admin_only
def connector_detail(request, pk: int):
    connector = get_object_or_404(queries.connectors(), pk=pk)
    settings_form = SettingsForm(initial={
        "enabled": connector.enabled, "base_url": connector.base_url,
        "sync_interval_minutes": connector.sync_interval_minutes})
    return _detail(request, connector, settings_form=settings_form)


def _detail(request, connector, *, mapping_text=None, mapping_error=None, settings_form,
            test=None, status=200):
    return render(request, "connectors/connector_detail.html", {
        "connector": connector, "url": queries.hook_url(connector),
        "setup": SETUP[connector.kind],
        "deliveries": queries.deliveries(connector)[:RECENT],
        "letters": queries.dead_letters(connector)[:RECENT],
        "mapping_text": mapping_text or json.dumps(connector.mapping, indent=2),
        "mapping_error": mapping_error, "settings_form": settings_form, "test": test,
    }, status=status)


@_admin_only
@require_POST
def connector_mapping(request, pk: int):
    connector = get_object_or_404(queries.connectors(), pk=pk)
    text = request.POST.get("mapping", "")
    try:
        mapping = json.loads(text)
        services.update_connector(connector, by=request.user, now=timezone.now(),
                                  mapping=mapping)
    except ValueError as exc:
        error = f"mapping: not JSON: {exc}" if not isinstance(exc, DomainError) else str(exc)
        return _detail(request, connector, mapping_text=text, mapping_error=error,
                       settings_form=SettingsForm(initial={
                           "enabled": connector.enabled, "base_url": connector.base_url,
                           "sync_interval_minutes": connector.sync_interval_minutes}),
                       status=422)
    except DomainError as exc:
        return _detail(request, connector, mapping_text=text,
                       mapping_error=f"{exc.field}: {exc.message}",
                       settings_form=SettingsForm(initial={
                           "enabled": connector.enabled, "base_url": connector.base_url,
                           "sync_interval_minutes": connector.sync_interval_minutes}),
                       status=422)
    messages.success(request, "Mapping saved. Replay the dead letters it fixes.")
    return redirect("connectors:detail", pk=pk)


@_admin_only
@require_POST
def connector_settings(request, pk: int):
    connector = get_object_or_404(queries.connectors(), pk=pk)
    form = SettingsForm(request.POST)
    if form.is_valid():
        fields = {k: form.cleaned_data[k] for k in ("enabled", "base_url",
                                                     "sync_interval_minutes")}
        try:
            if form.cleaned_data["credentials"]:
                fields["credentials"] = json.loads(form.cleaned_data["credentials"])
            services.update_connector(connector, by=request.user, now=timezone.now(),
                                      **fields)
        except ValueError as exc:
            form.add_error("credentials", f"not JSON: {exc}")
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Settings saved.")
            return redirect("connectors:detail", pk=pk)
    return _detail(request, connector, settings_form=form, status=422)


@_admin_only
@require_POST
def connector_test(request, pk: int):
    connector = get_object_or_404(queries.connectors(), pk=pk)
    result = send_test(connector, now=timezone.now())
    (messages.success if result["ok"] else messages.error)(request, result["message"])
    return redirect("connectors:detail", pk=pk)


@_admin_only
@require_POST
def letter_action(request, pk: int, letter_pk: int, action: str):
    connector = get_object_or_404(queries.connectors(), pk=pk)
    letter = get_object_or_404(queries.dead_letters(connector, None), pk=letter_pk)
    try:
        if action == "replay":
            delivery = services.replay(letter, by=request.user, now=timezone.now())
            (messages.success if delivery.outcome in ("accepted", "ignored") else
             messages.error)(request, f"Replayed: {delivery.get_outcome_display()}, "
                                      f"{delivery.stored} stored. {delivery.reason}")
        else:
            services.discard(letter, by=request.user)
            messages.success(request, "Dead letter discarded.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("connectors:detail", pk=pk)
