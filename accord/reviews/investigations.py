"""Breach investigation (the model lives in measurement, below reporting, which reads the
confirmed party): reason code, root cause, the responsible party — suggested from the clock's
attribution of business time, confirmed by a person — and problem tickets. Recurring
breaches (or missed objectives) of the same target key and reason are candidates for an
improvement plan."""

from django.db import transaction
from django.db.models import Count

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change, snapshot
from accord.lib.errors import InvalidInput
from accord.measurement.choices import ClockState, ResponsibleParty
from accord.measurement.models import (
    BreachInvestigation,
    Clock,
    ObjectiveInvestigation,
    ReasonCode,
    Ticket,
)
from accord.reporting.aggregate import top_holder
from accord.reporting.kpis import party_of

FIELDS = {"reason", "root_cause", "party", "problems"}


def suggested_party(clock: Clock) -> str:
    """From the holder of most of the clock's business time: a team is internal, a supplier
    the supplier; otherwise unknown."""
    party = party_of(top_holder(clock.attribution or {}))
    return party if party in ResponsibleParty.values else ResponsibleParty.UNKNOWN


def breached_clock(clock_id: int, agreements) -> Clock:
    clock = Clock.objects.filter(pk=clock_id, agreement_id__in=agreements.values("pk")).first()
    if clock is None:
        raise InvalidInput(f"no clock {clock_id}", "clock")
    if clock.state != ClockState.BREACHED:
        raise InvalidInput(f"clock {clock_id} is {clock.state}, not breached", "clock")
    return clock


def problem_tickets(values) -> list:
    """The problem records named by ticket pks or ticket ids; a ticket of another type (an
    incident, a request) is refused, naming the item (``problems.N``)."""
    found = []
    for i, value in enumerate(values or []):
        text = str(value)
        ticket = None
        if text.isdigit():
            ticket = Ticket.objects.filter(pk=int(text)).first()
        if ticket is None:
            ticket = Ticket.objects.filter(ticket_id=text).order_by("pk").first()
        if ticket is None:
            raise InvalidInput(f"no ticket {text!r}", f"problems.{i}")
        if (ticket.type or "").lower() != "problem":
            kind = (f"of type {ticket.type!r}" if ticket.type else "of no type")
            raise InvalidInput(f"ticket {ticket.ticket_id!r} is {kind}, not a problem record",
                               f"problems.{i}")
        found.append(ticket)
    return found


def record(clock: Clock, *, by, values: dict, now) -> BreachInvestigation:
    unknown = set(values) - FIELDS
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"{name} is not an investigation field", name)
    investigation = BreachInvestigation.objects.filter(clock=clock).first()
    created = investigation is None
    if created:
        investigation = BreachInvestigation(clock=clock, suggested_party=suggested_party(clock),
                                            updated_at=now)
    before = snapshot(investigation) if not created else None
    if "reason" in values:
        code = values["reason"]
        if code in (None, ""):
            investigation.reason = None
        else:
            reason = ReasonCode.objects.filter(code=code, active=True).first()
            if reason is None:
                raise InvalidInput(f"no active reason code {code!r}", "reason")
            investigation.reason = reason
    if "root_cause" in values:
        investigation.root_cause = (values["root_cause"] or "").strip()
    if "party" in values:
        party = values["party"] or ""
        if party and party not in ResponsibleParty.values:
            raise InvalidInput(f"party must be one of {', '.join(ResponsibleParty.values)}",
                               "party")
        investigation.party = party
        investigation.confirmed_by = by if party else None
        investigation.confirmed_at = now if party else None
    problems = problem_tickets(values["problems"]) if "problems" in values else None
    investigation.updated_at = now
    with transaction.atomic():
        investigation.save()
        if problems is not None:
            investigation.problems.set(problems)
        if created:
            record_change(by, investigation, AuditAction.CREATE, message="breach investigated")
        else:
            record_change(by, investigation, AuditAction.UPDATE, before=before,
                          after=snapshot(investigation))
    return investigation


def plan_candidates(agreements, minimum: int = 2) -> list[dict]:
    """Recurring causes: the same agreement, target key and reason code behind at least
    ``minimum`` investigated breaches, or behind at least ``minimum`` investigated missed
    objectives (periods), counted in the database, most frequent first. Each candidate
    gives both counts (a missed objective is not counted as a breach)."""
    ids = agreements.values("pk")
    breaches = (BreachInvestigation.objects
                .filter(clock__agreement_id__in=ids, reason__isnull=False)
                .values_list("clock__agreement_id", "clock__metric",
                             "clock__target__service__name", "clock__target__ticket_type",
                             "clock__target__priority", "reason__code")
                .annotate(n=Count("id")).order_by())
    missed = (ObjectiveInvestigation.objects
              .filter(agreement_id__in=ids, reason__isnull=False)
              .values_list("agreement_id", "metric", "service__name", "ticket_type",
                           "priority", "reason__code")
              .annotate(n=Count("id")).order_by())
    counts: dict[tuple, list[int]] = {}
    for index, rows in enumerate((breaches, missed)):
        for *group, n in rows:
            group[3], group[4] = group[3] or None, group[4] or None  # "" is "any"
            counts.setdefault(tuple(group), [0, 0])[index] += n
    found = [{"agreement_id": agreement,
              "key": {"metric": metric, "service": service, "type": kind,
                      "priority": priority},
              "reason": reason, "breaches": n, "missed_objectives": m}
             for (agreement, metric, service, kind, priority, reason), (n, m) in counts.items()
             if n >= minimum or m >= minimum]
    return sorted(found, key=lambda c: (-max(c["breaches"], c["missed_objectives"]),
                                        -c["breaches"], c["agreement_id"], c["reason"]))
