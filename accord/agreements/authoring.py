"""Authoring pages for service level managers: agreements, draft versions, targets and the
priority matrix, in the app instead of JSON or the Django admin.

Views parse (authoring_forms.py), check ``change_agreement``, then call one function of
services.py / versions.py; those validate (the same rules as the API and the admin) and
audit. A refused change shows the service's message next to the field it names, with
status 422 (409 for a rule such as "frozen"), and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accord.catalogue.views import forbidden
from accord.lib.errors import DomainError, Forbidden

from . import queries, services, versions
from .authoring_forms import (
    FIELD_OF,
    AgreementForm,
    FirstVersionForm,
    MatrixForm,
    TargetForm,
    VersionForm,
)
from .models import Agreement, PriorityMatrixCell

PERMISSION = "change_agreement"
REFUSED = "Only service level managers author agreements."


def attach(form, exc: DomainError, fallback=None) -> None:
    """Show a service's error next to the field it names (or above the form)."""
    field = FIELD_OF.get(exc.field, exc.field)
    if field not in form.fields:
        field = fallback if fallback in form.fields else None
    form.add_error(field, exc.message)


def _status(*forms_) -> int:
    return 422 if any(f.errors for f in forms_) else 200


def _allowed(request) -> bool:
    return request.user.can(PERMISSION) and not request.user.is_portal


def _agreement(request, pk):
    return get_object_or_404(queries.visible_to(request.user), pk=pk)


def _detail(agreement, number=None) -> str:
    url = reverse("agreements:detail", args=[agreement.pk])
    return f"{url}?version={number}" if number else url


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request):
    if not _allowed(request):
        return forbidden(request, REFUSED)
    form = AgreementForm(request.POST or None)
    first = FirstVersionForm(request.POST or None, prefix="v")
    if request.method == "POST" and form.is_valid() and first.is_valid():
        try:
            agreement = services.create_agreement(by=request.user, now=timezone.now(),
                                                  **form.values(), **first.values())
        except DomainError as exc:
            if exc.field in first.fields:
                attach(first, exc)
            else:
                attach(form, exc)
        else:
            messages.success(request, f"{agreement.reference} {agreement.name} created as a "
                                      "draft with version 1. Add its targets next.")
            return redirect(_detail(agreement))
    return render(request, "agreements/agreement_form.html",
                  {"form": form, "first": first, "agreement": None},
                  status=_status(form, first))


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk: int):
    agreement = _agreement(request, pk)
    if not _allowed(request):
        return forbidden(request, REFUSED)
    form = AgreementForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agreement(agreement, by=request.user, now=timezone.now(),
                                      **form.values())
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"{agreement.reference} saved.")
            return redirect(_detail(agreement))
    return render(request, "agreements/agreement_form.html",
                  {"form": form, "agreement": agreement}, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def version_new(request, pk: int):
    agreement = _agreement(request, pk)
    if not _allowed(request):
        return forbidden(request, REFUSED)
    form = VersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = versions.new_draft_version(agreement, by=request.user, now=timezone.now(),
                                                 **form.changes(new=True))
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"v{version.number} created as a draft, copied from the "
                                      "latest version.")
            return redirect(_detail(agreement, version.number))
    return render(request, "agreements/version_form.html",
                  {"form": form, "agreement": agreement, "version": None},
                  status=_status(form))


def _draft(agreement, number):
    return get_object_or_404(agreement.versions.all(), number=number)


@login_required
@require_http_methods(["GET", "POST"])
def version_edit(request, pk: int, number: int):
    agreement = _agreement(request, pk)
    if not _allowed(request):
        return forbidden(request, REFUSED)
    version = _draft(agreement, number)
    form = VersionForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            versions.update_version(version, by=request.user, now=timezone.now(),
                                    **form.changes())
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"v{version.number} saved.")
            return redirect(_detail(agreement, number))
    return render(request, "agreements/version_form.html",
                  {"form": form, "agreement": agreement, "version": version},
                  status=_status(form) if version.frozen_at is None else 409)


@login_required
@require_POST
def version_delete(request, pk: int, number: int):
    agreement = _agreement(request, pk)
    if not _allowed(request):
        return forbidden(request, REFUSED)
    version = _draft(agreement, number)
    try:
        versions.delete_draft_version(version, by=request.user, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_detail(agreement, number))
    messages.success(request, f"Draft v{number} discarded.")
    return redirect(_detail(agreement))


def _target_page(request, agreement, version, form, target=None, status=None):
    return render(request, "agreements/target_form.html", {
        "form": form, "agreement": agreement, "version": version, "target": target,
        "priorities": sorted({c.priority for c in PriorityMatrixCell.objects.filter(
            agreement__in=[agreement, None])}),
    }, status=status or _status(form))


@login_required
@require_http_methods(["GET", "POST"])
def target_new(request, pk: int, number: int):
    agreement = _agreement(request, pk)
    if not _allowed(request):
        return forbidden(request, REFUSED)
    version = _draft(agreement, number)
    form = TargetForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            target = versions.add_target(version, by=request.user, now=timezone.now(),
                                         **form.values())
        except DomainError as exc:
            attach(form, exc, fallback="metric")
        else:
            messages.success(request, f"Target “{target}” added to v{number}.")
            return redirect(_detail(agreement, number))
    return _target_page(request, agreement, version, form)


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request, pk: int, number: int, target_id: int):
    agreement = _agreement(request, pk)
    if not _allowed(request):
        return forbidden(request, REFUSED)
    version = _draft(agreement, number)
    target = get_object_or_404(version.targets.all(), pk=target_id)
    form = TargetForm(request.POST or None, agreement=agreement, target=target)
    if request.method == "POST" and form.is_valid():
        try:
            versions.update_target(target, by=request.user, now=timezone.now(),
                                   **form.values())
        except DomainError as exc:
            attach(form, exc, fallback="metric")
        else:
            messages.success(request, f"Target “{target}” saved.")
            return redirect(_detail(agreement, number))
    return _target_page(request, agreement, version, form, target)


@login_required
@require_POST
def target_delete(request, pk: int, number: int, target_id: int):
    agreement = _agreement(request, pk)
    if not _allowed(request):
        return forbidden(request, REFUSED)
    version = _draft(agreement, number)
    target = get_object_or_404(version.targets.all(), pk=target_id)
    try:
        versions.delete_target(target, by=request.user, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Target “{target}” removed from v{number}.")
    return redirect(_detail(agreement, number))


@login_required
@require_http_methods(["GET", "POST"])
def matrix_edit(request, pk: int):
    agreement = _agreement(request, pk)
    if not _allowed(request):
        return forbidden(request, REFUSED)
    source, cells = queries.priority_matrix(agreement)
    form = MatrixForm(request.POST or None, cells=cells if source == "agreement" else [])
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.set_priority_matrix(agreement, form.cells(), by=request.user)
        except Forbidden as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            form.add_error(form.field_of(exc.field), exc.message)
        else:
            messages.success(request, f"Priority matrix of {agreement.reference} saved "
                                      f"({len(saved)} cells).")
            return redirect(_detail(agreement))
    return render(request, "agreements/matrix_form.html", {
        "form": form, "agreement": agreement, "source": source,
        "global_cells": cells if source == "global" else [],
    }, status=_status(form))


def may_author(user, agreement: Agreement) -> bool:
    """Whether the detail page offers the authoring links."""
    return user.can(PERMISSION) and not user.is_portal and not agreement.is_terminal
