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

from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast

from accord.agreements.choices import Direction, ExperienceMeasure
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
    """{measure: Value} for ``measures`` (default: all six), a few aggregate queries."""
    measures = set(measures or M.values)
    out: dict[str, Value] = {}
    if measures & {M.CSAT_AVERAGE, M.CSAT_SATISFIED_PERCENT, M.CES_AVERAGE, M.NPS,
                   M.COMPLAINTS_PER_100_TICKETS}:
        csat, ces, nps = (Q(kind=FeedbackKind.CSAT), Q(kind=FeedbackKind.CES),
                          Q(kind=FeedbackKind.NPS))
        rows = links_of(agreement_ids, start, end, service_id)
        kinds = sorted({KIND_OF[m] for m in measures if m in KIND_OF})
        rows = rows.filter(kind=kinds[0]) if len(kinds) == 1 else rows.filter(kind__in=kinds)
        # One row per feedback and agreement; an agreement chain (include_children) links
        # feedback to its innermost level only, so nothing is counted twice.
        f = rows.aggregate(
            csat_n=Count("pk", filter=csat), csat_sum=Sum(_scaled(5), filter=csat),
            csat_ok=Count("pk", filter=csat & Q(score__gte=F("scale") * 4 / 5.0)),
            ces_n=Count("pk", filter=ces), ces_sum=Sum(_scaled(7), filter=ces),
            nps_n=Count("pk", filter=nps),
            promoters=Count("pk", filter=nps & Q(score__gte=9)),
            detractors=Count("pk", filter=nps & Q(score__lte=6)),
            complaints=Count("pk", filter=Q(kind=FeedbackKind.COMPLAINT)),
        )
        out[M.CSAT_AVERAGE] = Value(_ratio(f["csat_sum"], f["csat_n"]), f["csat_n"])
        out[M.CSAT_SATISFIED_PERCENT] = Value(_ratio(f["csat_ok"], f["csat_n"], 100),
                                              f["csat_n"])
        out[M.CES_AVERAGE] = Value(_ratio(f["ces_sum"], f["ces_n"]), f["ces_n"])
        out[M.NPS] = Value(_ratio(f["promoters"] - f["detractors"], f["nps_n"], 100),
                           f["nps_n"])
        if M.COMPLAINTS_PER_100_TICKETS in measures:
            # Each ticket once: tickets opened in the period with a clock of the agreements
            # (a semi-join; indexes ticket_opened and clock_agreement_ticket, both read
            # index-only).
            opened = Ticket.objects.filter(opened_at__gte=start, opened_at__lt=end)
            if service_id is not None:
                opened = opened.filter(service_id=service_id)
            tickets = opened.filter(pk__in=_tickets(agreement_ids, None)).order_by().count()
            out[M.COMPLAINTS_PER_100_TICKETS] = Value(_ratio(f["complaints"], tickets, 100),
                                                      tickets)
    if M.REOPEN_RATE_PERCENT in measures:
        resolved = TicketEvent.objects.filter(
            ticket_id__in=_tickets(agreement_ids, service_id), kind=EventKind.RESOLVED,
            timestamp__gte=start, timestamp__lt=end).order_by().values("ticket_id").distinct()
        n = resolved.count()
        reopened = (TicketEvent.objects.filter(ticket_id__in=resolved, kind=EventKind.REOPENED,
                                               timestamp__gte=start, timestamp__lte=now)
                    .order_by().values("ticket_id").distinct().count()) if n else 0
        out[M.REOPEN_RATE_PERCENT] = Value(_ratio(reopened, n, 100), n)
    return {m: v for m, v in out.items() if m in measures}


def verdict(value: Value, threshold: Decimal, direction: str, min_responses: int
            ) -> bool | None:
    """Whether the objective was met; None with too few responses (or none)."""
    if value.exact is None or value.responses < max(min_responses or 1, 1):
        return None
    if direction == Direction.AT_MOST:
        return value.exact <= threshold
    return value.exact >= threshold
