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

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from multiprocessing import get_context

from django.conf import settings
from django.db import connection
from django.db.models import Q

from accord.agreements.choices import AgreementKind
from accord.agreements.inheritance import effective_targets
from accord.catalogue.models import Customer, Service
from accord.measurement.applicability import Applicability
from accord.measurement.clocks import CHUNK, read_chunk, rows_of
from accord.measurement.models import Clock, Ticket
from accord.measurement.services._bulk import gc_paused, select_in
from accord.reporting.aggregate import Aggregate, ClockRow, rows_from_computed
from accord.reporting.memory import memory_aggregates

from . import replay_worker


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
            yield _chunk_rows(ticket_ids[start:start + CHUNK], applicability, now)


def _chunk_rows(chunk, applicability, now) -> list[ClockRow]:
    _, owners, items = read_chunk(chunk, {}, applicability)
    computed = rows_of(owners, items, now, lean=True)  # numbers only: nothing is stored
    priorities = dict(select_in(Ticket, ("id", "priority"), "id",
                                sorted({row[0] for row in computed})))
    return rows_from_computed(computed, {k: v or "" for k, v in priorities.items()})


def replay_aggregates(agreement, version, ticket_ids, bounds: list[datetime], now: datetime,
                      *, workers: int | None = None, parallel_from: int | None = None,
                      meanwhile: Callable[[], None] | None = None) -> list[Aggregate]:
    """The in-memory aggregation of each month (``bounds``: the months' UTC edges) of the
    clocks ``version`` would have given ``ticket_ids``: ``memory_aggregates`` per chunk (one
    aggregate per month), merged (``Aggregate.merged``). With at least ``parallel_from``
    tickets on PostgreSQL the chunks are shared among ``workers`` processes (both default to the
    settings ``ACCORD_REPLAY_WORKERS`` and ``ACCORD_REPLAY_PARALLEL_FROM``). ``meanwhile``:
    work of the caller's own (the baseline's stored reports, which the database computes) run
    here while the processes replay, else after the replay."""
    workers = workers or settings.ACCORD_REPLAY_WORKERS
    parallel_from = (settings.ACCORD_REPLAY_PARALLEL_FROM if parallel_from is None
                     else parallel_from)
    chunks = [ticket_ids[i:i + CHUNK] for i in range(0, len(ticket_ids), CHUNK)]
    args = (agreement.pk, version.pk, bounds, now)
    if workers > 1 and len(chunks) > 1 and len(ticket_ids) >= parallel_from \
            and connection.vendor == "postgresql":
        shares = [chunks[w::workers] for w in range(min(workers, len(chunks)))]
        db = {k: connection.settings_dict[k] for k in
              ("NAME", "USER", "PASSWORD", "HOST", "PORT")}
        with ProcessPoolExecutor(len(shares), mp_context=get_context("spawn"),
                                 initializer=replay_worker.start, initargs=(db,)) as pool:
            futures = [pool.submit(replay_worker.aggregate_chunks, (share, *args))
                       for share in shares]
            if meanwhile is not None:
                meanwhile()
            parts = [future.result() for future in futures]
    else:
        parts = [aggregate_chunks((chunks, *args))]
        if meanwhile is not None:
            meanwhile()
    return [Aggregate.merged(part[i] for part in parts) for i in range(len(bounds) - 1)]


def aggregate_chunks(args) -> list[Aggregate]:
    """Per month, the merged aggregation of the replayed clocks of ``chunks``."""
    from accord.agreements.models import AgreementVersion

    chunks, agreement_id, version_id, bounds, now = args
    version = AgreementVersion.objects.select_related("agreement").get(pk=version_id)
    applicability = ReplayApplicability(version.agreement, version)
    months: list[list[Aggregate]] = [[] for _ in range(len(bounds) - 1)]
    with gc_paused():
        for chunk in chunks:
            rows = [r for r in _chunk_rows(chunk, applicability, now)
                    if r.agreement_id == agreement_id]
            for i, aggregate in enumerate(memory_aggregates(rows, bounds, now)):
                months[i].append(aggregate)
    return [Aggregate.merged(parts) for parts in months]
