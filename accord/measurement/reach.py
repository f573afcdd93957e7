"""A target's reach: how many tickets it would have applied to over a past period.

One database count, built from the rules that decide applicability (applicability.py): the
agreement's coverage (an SLA's customer and services; the team of an OLA or the supplier of a
UC that held the ticket at some point) and the target's own scope, the engine's ``applies``
condition (``agreements.engine.applies_condition``) turned into a filter on the tickets'
fields. Scope fields are read on the ticket as it stands now (a ticket whose priority changed
counts under its current one); dates are the tickets' opening instants.
"""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q

from accord.agreements.choices import AgreementKind
from accord.agreements.engine import applies_condition
from accord.agreements.models import Agreement, Target

from .models import Ticket, TicketEvent

WINDOW = timedelta(days=30)
# Condition fields -> Ticket lookups (catalogue fields are names on events, FKs on tickets).
LOOKUP = {"service": "service__name", "customer": "customer__name", "team": "team__name",
          "supplier": "supplier__name", "type": "type", "priority": "priority",
          "status": "status", "impact": "impact", "urgency": "urgency"}


def _scope_q(condition: dict) -> Q:
    if not condition:
        return Q()
    if "all" in condition:
        q = Q()
        for part in condition["all"]:
            q &= _scope_q(part)
        return q
    return Q(**{LOOKUP[condition["field"]]: condition["equals"]})


def _held_by(field: str, name: str) -> Q:
    events = TicketEvent.objects.filter(ticket=OuterRef("pk"), **{field: name})
    return Q(**{f"{field}__name": name}) | Q(Exists(events))


def coverage_q(agreement: Agreement) -> Q:
    """The tickets an agreement covers, by its parties and services."""
    if agreement.kind == AgreementKind.OLA:
        return _held_by("team", agreement.team.name) if agreement.team_id else Q(pk__in=[])
    if agreement.kind == AgreementKind.UC:
        return (_held_by("supplier", agreement.supplier.name) if agreement.supplier_id
                else Q(pk__in=[]))
    q = Q()
    if agreement.customer_id:
        q &= Q(customer_id=agreement.customer_id)
    services = list(agreement.services.values_list("pk", flat=True))
    if services:
        q &= Q(service_id__in=services)
    return q


def reach(agreement: Agreement, target: Target, *, until: datetime,
          window: timedelta = WINDOW) -> int:
    """Tickets opened in [until - window, until) that ``target`` (saved or not) of
    ``agreement`` would have applied to."""
    return Ticket.objects.filter(
        coverage_q(agreement), _scope_q(applies_condition(target)),
        opened_at__gte=until - window, opened_at__lt=until,
    ).count()
