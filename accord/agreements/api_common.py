"""Helpers of the agreements API: ids in a payload to objects, the write-token check."""

from django.contrib.auth import get_user_model

from accord.catalogue.models import Calendar, Customer, Service, Supplier, Team
from accord.lib.errors import Forbidden, InvalidInput

from .models import Agreement

ONE = {
    "customer": Customer, "team": Team, "supplier": Supplier, "parent": Agreement,
    "calendar": Calendar, "service": Service, "agreement": Agreement,
}
MANY = {"services": Service, "underpins": Agreement}


def resolve_ids(data: dict) -> dict:
    """Replace ids of related objects by the objects; an unknown id is a 422 naming the field."""
    for name, value in data.items():
        if value is None:
            continue
        if name == "owner":
            model = get_user_model()
        elif name in ONE:
            model = ONE[name]
        elif name in MANY:
            found = MANY[name].objects.in_bulk(value)
            for i, pk in enumerate(value):
                if pk not in found:
                    raise InvalidInput(f"{name}[{i}]: no such object {pk}", name)
            data[name] = [found[pk] for pk in dict.fromkeys(value)]
            continue
        else:
            continue
        obj = model.objects.filter(pk=value).first()
        if obj is None:
            raise InvalidInput(f"{name}: no such object {value}", name)
        data[name] = obj
    return data


def write_token(request) -> None:
    """Refuse writes made with a read-only API token."""
    token = getattr(request, "api_token", None)
    if token is not None and not token.can_write:
        raise Forbidden("this API token is read-only")
