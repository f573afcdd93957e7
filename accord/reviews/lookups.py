"""Finding what a request names: users by username or id, agreements by reference or id,
services by name or id. Unknown values are 422 naming the field."""

from django.http import Http404

from accord.accounts.models import User
from accord.catalogue.models import Service
from accord.lib.errors import InvalidInput
from accord.reporting import queries as reporting_queries


def find_user(value, field: str = "owner") -> User:
    text = str(value if value is not None else "").strip()
    if not text:
        raise InvalidInput(f"{field} is required: a username or a user id", field)
    users = User.objects.filter(is_active=True)
    found = users.filter(username=text).first()
    if found is None and text.isdigit():
        found = users.filter(pk=int(text)).first()
    if found is None:
        raise InvalidInput(f"no active user {text!r}", field)
    if found.is_portal:
        raise InvalidInput(f"{text!r} is a portal user and cannot own internal work", field)
    return found


def find_agreement(value, user=None, field: str = "agreement"):
    try:
        return reporting_queries.find_agreement(value, user)
    except Http404:
        raise InvalidInput(f"no agreement {value}", field)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field)


def find_service(value, field: str = "service") -> Service:
    text = str(value if value is not None else "").strip()
    found = None
    if text.isdigit():
        found = Service.objects.filter(pk=int(text)).first()
    if found is None and text:
        found = Service.objects.filter(name=text).first()
    if found is None:
        raise InvalidInput(f"no service {text!r}", field)
    return found
