"""Helpers shared by the catalogue's API modules: visibility (404) and permission (403)."""

from django.shortcuts import get_object_or_404

from accord.accounts.auth import require
from accord.accounts.models import User
from accord.accounts.services import history
from accord.lib.errors import Forbidden

from . import queries
from .models import Service


def visible(request, model, pk: int):
    """The ``model`` row ``pk`` if the user may see it; 404 otherwise."""
    return get_object_or_404(queries.visible_to(request.user, model), pk=pk)


def history_of(request, model, pk: int):
    """The audit trail (newest first) of a row the user may see; not for portal users."""
    user = require(request, "view")
    if user.is_portal:
        raise Forbidden("the audit trail is for staff only")
    return history(visible(request, model, pk))


def service_editor(request, service: Service, changes: dict | None = None) -> User:
    """The user, if they may change ``service``: a service level manager any service, a
    service owner only their own (and without giving it away); 403 otherwise."""
    if request.user.can("change_catalogue"):
        return require(request, "change_catalogue")
    user = require(request, "change_own_service")
    if not service.may_be_changed_by(user):
        raise Forbidden("you may change only the services you own")
    if changes and "owner" in changes and changes["owner"] != user.pk:
        raise Forbidden("only a service level manager may give a service another owner")
    return user
