"""Availability rows of a report: each availability target in force during the period, per
service, measured against the target's calendar over the part of the period that has passed
(``measurement.availability.measure``, which writes nothing). No agreed time: ``null``.

An availability target earns its credit per missed objective: each of its objective periods
(``target.period``) within the report's period whose measured availability fell below the
target. A report shorter than that period cannot judge it (``credit_due`` null, with a note);
a longer one measures each objective period apart."""

from datetime import datetime
from decimal import Decimal

from accord.agreements.choices import CreditBasis, Metric
from accord.agreements.inheritance import effective_targets
from accord.measurement.availability import measure

from . import credits
from .periods import MONTHS_IN
from .versions import in_force_bounds


def availability_rows(agreements, versions, period, now: datetime, effective=None, *,
                      bounds: list[datetime]) -> tuple[list[dict], list[Decimal]]:
    """(the rows, the credit due of each row that can earn one: 0 when none is due).
    ``bounds``: the UTC edges of the period's months; ``effective``: per version pk, its
    effective targets (else read here)."""
    rows, dues = [], []
    by_pk = {a.pk: a for a in agreements}
    for version in versions:
        agreement = by_pk[version.agreement_id]
        lo, hi = in_force_bounds(version, period.start_utc, period.end_utc)
        hi = min(hi, now)
        found = (effective[version.pk] if effective is not None
                 else effective_targets(version, lo))
        for item in found:
            target = item.target
            if target.metric != Metric.AVAILABILITY or target.percentage is None:
                continue
            services = ([target.service] if target.service_id
                        else list(agreement.services.all()))
            for service in services:
                row = _row(target, version, agreement, service, lo, hi)
                due = _credit(row, target, agreement, service, lo, hi, bounds)
                rows.append(row)
                if due is not None:
                    dues.append(due)
    return rows, dues


def _credit(row, target, agreement, service, lo, hi, bounds) -> Decimal | None:
    """Fill the row's credit keys; the amount due (None: the target earns no credit)."""
    unit, note = credits.unit_amount(target, agreement)
    missed = None
    if unit is not None and target.credit_basis == CreditBasis.PER_BREACH:
        note = "availability targets earn credits per missed objective, not per breach"
    elif unit is not None and MONTHS_IN[target.period] > len(bounds) - 1:
        note = f"credits for this target are judged per {target.period}"
    elif unit is not None:
        missed = _objectives_missed(row, target, agreement, service, lo, hi, bounds)
    due = None if missed is None else unit * missed
    row.update(credit_basis=target.credit_basis, objectives_missed=missed,
               credit_due=credits.money(due), credit_note=note)
    if unit is None or target.credit_basis == CreditBasis.PER_BREACH:
        return None  # it can earn nothing
    return due or Decimal(0)


def _objectives_missed(row, target, agreement, service, lo, hi, bounds) -> int:
    """How many of the target's objective periods within the report's fell short."""
    step = MONTHS_IN[target.period]
    if step == len(bounds) - 1:
        return 1 if row["met"] is False else 0
    missed, objective = 0, float(target.percentage)
    for first in range(0, len(bounds) - 1, step):
        start, end = max(bounds[first], lo), min(bounds[first + step], hi)
        if start < end:
            result = measure(target, agreement, service, start, end)
            missed += result.availability is not None and not result.meets(objective)
    return missed


def _row(target, version, agreement, service, lo, hi) -> dict:
    objective = float(target.percentage)
    row = {"target": target.pk, "version": version.number,
           "agreement": agreement.reference, "name": str(target),
           "service": service.name, "service_id": service.pk,
           "target_percent": objective, "measured_percent": None,
           "agreed_minutes": 0.0, "downtime_minutes": 0.0, "outages": 0, "met": None}
    if hi <= lo:
        return row
    result = measure(target, agreement, service, lo, hi)
    row.update(agreed_minutes=round(result.agreed_seconds / 60, 2),
               downtime_minutes=round(result.downtime_seconds / 60, 2),
               outages=sum(1 for share in result.outages if share.downtime_seconds > 0))
    if result.availability is not None:
        row.update(measured_percent=round(result.availability, 4),
                   met=result.meets(objective))
    return row
