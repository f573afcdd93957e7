"""Which agreements a user may report on, looked up by reference or id, and which are in force
during a period. Portal users see only their own agreements (others are "not found")."""

import re

from django.db.models import Q
from django.http import Http404

from accord.accounts.choices import Role
from accord.agreements import queries as agreement_queries
from accord.agreements.choices import AgreementKind
from accord.agreements.models import Agreement
from accord.catalogue.models import Customer
from accord.lib.errors import InvalidInput

REFERENCE = re.compile(r"(SLA|OLA|UC)-(\d+)", re.IGNORECASE)


def visible_agreements(user):
    return agreement_queries.visible_to(user).select_related("calendar", "customer")


def find_agreement(value, user=None) -> Agreement:
    """The agreement "SLA-0001" (its reference) or "1" (its id), visible to ``user`` (every
    agreement when ``user`` is None, e.g. the CLI); Http404 otherwise."""
    text = str(value if value is not None else "").strip()
    if not text:
        raise InvalidInput("agreement is required: a reference such as SLA-0001 or an id",
                           "agreement")
    agreements = (Agreement.objects.select_related("calendar", "customer") if user is None
                  else visible_agreements(user))
    if text.isdigit():
        found = agreements.filter(pk=int(text)).first()
    elif m := REFERENCE.fullmatch(text):
        found = agreements.filter(pk=int(m[2]), kind=m[1].lower()).first()
    else:
        raise InvalidInput(f"agreement must be a reference such as SLA-0001 or an id, got "
                           f"{text!r}", "agreement")
    if found is None:
        raise Http404(f"no agreement {text}")
    return found


def find_customer(value, user=None) -> Customer:
    """A customer by id or name; a customer-portal user finds only their own."""
    text = str(value).strip()
    customers = Customer.objects.all()
    if user is not None and user.is_portal:
        customers = customers.filter(contacts=user) if user.role == Role.CUSTOMER \
            else customers.none()
    found = None
    if text.isdigit():
        found = customers.filter(pk=int(text)).first()
    if found is None:
        found = customers.filter(name=text).first()
    if found is None:
        raise Http404(f"no customer {text}")
    return found


def in_force(agreements, start, end):
    """Agreements with a signed version in force at some instant of [start, end)."""
    return (agreements.filter(versions__frozen_at__isnull=False,
                              versions__effective_from__lt=end)
            .filter(Q(versions__effective_to__isnull=True) | Q(versions__effective_to__gt=start))
            .distinct().order_by("kind", "id"))


def slas(agreements):
    return agreements.filter(kind=AgreementKind.SLA)
