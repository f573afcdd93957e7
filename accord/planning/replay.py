"""The engine side of the what-if replay: clock rows of one agreement version over the stored
events of a period, computed in memory and never stored.

``ReplayApplicability`` is measurement's ``Applicability`` with two changes: only the chosen
agreement's targets apply (the others' clocks are not needed), and wherever the agreement
applied to a ticket (a version of it was in force at the ticket's start) the chosen version's
targets apply instead of the version then in force. So replaying the version in force over
its own history gives exactly its stored clocks, and a draft is judged on the same tickets.

The tickets replayed are those opened during the period (of the SLA's customer, when it has
one) and those with a stored clock of the agreement that can count in it (started before its
end, not stopped before its start). Their clocks come from ``compute_chunk``'s path
(``read_chunk`` + ``rows_of``: the vectorized ``compute_rows``), chunk by chunk.
"""

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Q

from accord.agreements.choices import AgreementKind
from accord.agreements.inheritance import effective_targets
from accord.catalogue.models import Customer, Service
from accord.measurement.applicability import Applicability
from accord.measurement.clocks import CHUNK, read_chunk, rows_of
from accord.measurement.models import Clock, Ticket
from accord.measurement.services._bulk import gc_paused, select_in
from accord.reporting.aggregate import ClockRow, outcome_of, rows_from_computed


class ReplayApplicability(Applicability):
    """The targets of ``version`` (of ``agreement``) wherever the agreement applied."""

    def __init__(self, agreement, version):
        super().__init__()
        self.agreement, self.version = agreement, version

    def _applied_in(self, bucket, at, customer_id, service_id, team_ids, supplier_ids):
        found = super()._applied_in(bucket, at, customer_id, service_id, team_ids, supplier_ids)
        return [a for a in found if a.agreement_id == self.agreement.pk]

    def _lookup(self, at, kind, party, service_id, customer_id):
        found = super()._lookup(at, kind, party, service_id, customer_id)
        mine = [a for a in found if a.agreement_id == self.agreement.pk]
        if not mine:
            return found
        customer = self._obj(Customer, customer_id)
        service = self._obj(Service, service_id)
        replaced = [self._definition(e.target, self.agreement, self.version, customer, service,
                                     kind, mine[0].holder)
                    for e in effective_targets(self.version, at) if e.target.is_duration]
        return [a for a in found if a.agreement_id != self.agreement.pk] + replaced


def tickets_for(agreement, start: datetime, end: datetime) -> list[int]:
    """The pks of the tickets whose clocks of ``agreement`` can count in [start, end)."""
    opened = Ticket.objects.filter(opened_at__gte=start, opened_at__lt=end)
    if agreement.kind == AgreementKind.SLA and agreement.customer_id:
        opened = opened.filter(customer_id=agreement.customer_id)
    ids = set(opened.values_list("pk", flat=True))
    ids.update(Clock.objects.filter(agreement_id=agreement.pk, started_at__lt=end,
                                    ticket__opened_at__lt=start)  # the others are in ``ids``
               .filter(Q(stopped_at__isnull=True) | Q(stopped_at__gte=start))
               .values_list("ticket_id", flat=True).distinct())
    return sorted(ids)


def replay_rows(agreement, version, ticket_ids, now: datetime) -> Iterator[list[ClockRow]]:
    """Per chunk of tickets, the ``ClockRow``s ``version`` would have given them, as of
    ``now``. Reads tickets and events; writes nothing."""
    applicability = ReplayApplicability(agreement, version)
    with gc_paused():
        for start in range(0, len(ticket_ids), CHUNK):
            chunk = ticket_ids[start:start + CHUNK]
            _, owners, items = read_chunk(chunk, {}, applicability)
            computed = rows_of(owners, items, now)
            priorities = dict(select_in(Ticket, ("id", "priority"), "id",
                                        sorted({row[0] for row in computed})))
            yield rows_from_computed(computed, {k: v or "" for k, v in priorities.items()})


def rows_by_month(rows, bounds: list[datetime], now: datetime) -> list[list[ClockRow]]:
    """The rows each month (``bounds``: its UTC edges) needs: those started before its end
    whose outcome was not certain before its start. Each month's aggregation then reads only
    its own rows instead of all of them."""
    months: list[list[ClockRow]] = [[] for _ in range(len(bounds) - 1)]
    last = len(months) - 1
    for row in rows:
        if row.started_at >= bounds[-1]:
            continue
        known = outcome_of(row, now)
        certain = known[1] if known else None
        if certain is not None and certain < bounds[0]:
            continue
        first = 0
        while first <= last and bounds[first + 1] <= row.started_at:
            first += 1
        for i in range(first, last + 1):
            months[i].append(row)
            if certain is not None and certain < bounds[i + 1]:
                break
    return months
