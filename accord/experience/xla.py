"""Experience (XLA) measures per period, aggregated in the database.

Each measure of ``ExperienceMeasure`` over the feedback (or tickets) of some agreements in
``[start, end)``:

- ``csat_average``: mean CSAT score on a 1-5 scale (scores on another scale are rescaled);
- ``csat_satisfied_percent``: share of CSAT answers scoring 4 or 5 of 5;
- ``ces_average``: mean effort score on a 1-7 scale;
- ``nps``: % promoters (9-10) − % detractors (0-6), so between −100 and 100;
- ``complaints_per_100_tickets``: complaints per 100 tickets opened in the period (tickets
  with a clock of the agreements); its responses are those tickets;
- ``reopen_rate_percent``: share of the tickets resolved in the period that were reopened
  (from ticket events, as of ``now``); its responses are the resolved tickets.

``responses`` is what the value is computed from; a value is None with no responses.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast

from accord.agreements.choices import Direction, ExperienceMeasure
from accord.lib.compiled import compiled_sql
from accord.measurement.choices import EventKind
from accord.measurement.models import Clock, Ticket, TicketEvent

from .choices import FeedbackKind
from .models import Feedback, FeedbackAgreement

M = ExperienceMeasure
KIND_OF = {M.CSAT_AVERAGE: FeedbackKind.CSAT, M.CSAT_SATISFIED_PERCENT: FeedbackKind.CSAT,
           M.CES_AVERAGE: FeedbackKind.CES, M.NPS: FeedbackKind.NPS,
           M.COMPLAINTS_PER_100_TICKETS: FeedbackKind.COMPLAINT}
PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Value:
    exact: Decimal | None  # judged against the threshold
    responses: int

    @property
    def shown(self) -> float | None:
        if self.exact is None:
            return None
        return float(self.exact.quantize(PLACES, ROUND_HALF_UP))


def _ratio(numerator, denominator, times=1) -> Decimal | None:
    if not denominator:
        return None
    return Decimal(str(numerator)) * times / Decimal(denominator)


def links_of(agreement_ids, start: datetime, end: datetime, service_id=None):
    """The feedback links of these agreements in [start, end) (of one service if given)."""
    ids = list(agreement_ids)
    rows = FeedbackAgreement.objects.filter(at__gte=start, at__lt=end)
    rows = rows.filter(agreement_id=ids[0]) if len(ids) == 1 else rows.filter(
        agreement_id__in=ids)
    if service_id is not None:
        rows = rows.filter(service_id=service_id)
    return rows


def feedback_of(agreement_ids, start: datetime, end: datetime, service_id=None):
    """The feedback itself (each row once), found through its links."""
    return Feedback.objects.filter(pk__in=links_of(agreement_ids, start, end, service_id)
                                   .values("feedback_id"))


def _scaled(top: int):
    return Cast(F("score"), FloatField()) * top / Cast(F("scale"), FloatField())


def _tickets(agreement_ids, service_id):
    clocks = Clock.objects.filter(agreement_id__in=list(agreement_ids))
    if service_id is not None:
        clocks = clocks.filter(ticket__service_id=service_id)
    return clocks.order_by().values("ticket_id")


def measure_values(agreement_ids, start: datetime, end: datetime, now: datetime, *,
                   service_id=None, measures=None) -> dict[str, Value]:
    """{measure: Value} for ``measures`` (default: all six), a few aggregate queries (their
    SQL compiled once per shape: ``accord.lib.compiled``)."""
    measures = set(measures or M.values)
    ids = list(agreement_ids)
    out: dict[str, Value] = {}
    if measures & {M.CSAT_AVERAGE, M.CSAT_SATISFIED_PERCENT, M.CES_AVERAGE, M.NPS,
                   M.COMPLAINTS_PER_100_TICKETS}:
        kinds = sorted({KIND_OF[m] for m in measures if m in KIND_OF})
        f = _feedback_counts(ids, start, end, service_id, kinds)
        csat, ces, nps = (f.get(FeedbackKind.CSAT, {}), f.get(FeedbackKind.CES, {}),
                          f.get(FeedbackKind.NPS, {}))
        csat_n, ces_n, nps_n = csat.get("n", 0), ces.get("n", 0), nps.get("n", 0)
        out[M.CSAT_AVERAGE] = Value(_ratio(csat.get("sum5"), csat_n), csat_n)
        out[M.CSAT_SATISFIED_PERCENT] = Value(_ratio(csat.get("ok", 0), csat_n, 100), csat_n)
        out[M.CES_AVERAGE] = Value(_ratio(ces.get("sum7"), ces_n), ces_n)
        out[M.NPS] = Value(_ratio(nps.get("promoters", 0) - nps.get("detractors", 0), nps_n,
                                  100), nps_n)
        if M.COMPLAINTS_PER_100_TICKETS in measures:
            # Each ticket once: tickets opened in the period with a clock of the agreements
            # (a semi-join; indexes ticket_opened and clock_agreement_ticket, both read
            # index-only).
            def opened(i, times):
                found = Ticket.objects.filter(opened_at__gte=times[0], opened_at__lt=times[1])
                if service_id is not None:
                    found = found.filter(service_id=i[-1])
                return found.filter(pk__in=_tickets(i[:len(ids)], None)).order_by().values("pk")

            tickets = _count(f"opened/{service_id is None}", opened, ids, service_id,
                             [start, end])
            complaints = f.get(FeedbackKind.COMPLAINT, {}).get("n", 0)
            out[M.COMPLAINTS_PER_100_TICKETS] = Value(_ratio(complaints, tickets, 100), tickets)
    if M.REOPEN_RATE_PERCENT in measures:
        def resolved(i, times):
            return TicketEvent.objects.filter(
                ticket_id__in=_tickets(i[:len(ids)], i[-1] if service_id is not None else None),
                kind=EventKind.RESOLVED, timestamp__gte=times[0], timestamp__lt=times[1],
            ).order_by().values("ticket_id").distinct()

        def reopened(i, times):
            return (TicketEvent.objects.filter(ticket_id__in=resolved(i, times),
                                               kind=EventKind.REOPENED,
                                               timestamp__gte=times[0], timestamp__lte=times[2])
                    .order_by().values("ticket_id").distinct())

        shape = f"{service_id is None}"
        n = _count(f"resolved/{shape}", resolved, ids, service_id, [start, end, now])
        back = _count(f"reopened/{shape}", reopened, ids, service_id,
                      [start, end, now]) if n else 0
        out[M.REOPEN_RATE_PERCENT] = Value(_ratio(back, n, 100), n)
    return {m: v for m, v in out.items() if m in measures}


def _slots(ids: list, service_id) -> list:
    return ids if service_id is None else [*ids, service_id]


def _count(name: str, build, ids: list, service_id, times: list) -> int:
    """COUNT(*) of the rows of ``build(ids, times)`` (``compiled_sql``); 0 without ids."""
    try:
        sql, params = compiled_sql(f"xla/{name}", build, _slots(ids, service_id), times)
    except EmptyResultSet:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", params)
        return cursor.fetchone()[0]


def _feedback_counts(ids: list, start, end, service_id, kinds: list) -> dict[str, dict]:
    """Per feedback kind of ``kinds``, over the links of these agreements in [start, end):
    n, the scores rescaled to 5 and to 7 points summed, satisfied (CSAT 4-5 of 5),
    promoters (9-10) and detractors (0-6). One row per feedback and agreement; an agreement
    chain (include_children) links feedback to its innermost level only, so nothing is
    counted twice."""
    def build(i, times):
        rows = links_of(i[:len(ids)], times[0], times[1],
                        i[-1] if service_id is not None else None)
        rows = rows.filter(kind=kinds[0]) if len(kinds) == 1 else rows.filter(kind__in=kinds)
        return rows.order_by().values("kind").annotate(
            n=Count("pk"), sum5=Sum(_scaled(5)), sum7=Sum(_scaled(7)),
            ok=Count("pk", filter=Q(score__gte=F("scale") * 4 / 5.0)),
            promoters=Count("pk", filter=Q(score__gte=9)),
            detractors=Count("pk", filter=Q(score__lte=6)))

    names = ("kind", "n", "sum5", "sum7", "ok", "promoters", "detractors")
    try:
        sql, params = compiled_sql(f"xla/feedback/{service_id is None}/{','.join(kinds)}",
                                   build, _slots(ids, service_id), [start, end])
    except EmptyResultSet:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: dict(zip(names[1:], row[1:], strict=True))
                for row in cursor.fetchall()}


def verdict(value: Value, threshold: Decimal, direction: str, min_responses: int
            ) -> bool | None:
    """Whether the objective was met; None with too few responses (or none)."""
    if value.exact is None or value.responses < max(min_responses or 1, 1):
        return None
    if direction == Direction.AT_MOST:
        return value.exact <= threshold
    return value.exact >= threshold
