"""Availability rows of a report: each availability target in force during the period, per
service, measured against the target's calendar over the part of the period that has passed
(``measurement.availability.measure``, which writes nothing). No agreed time: ``null``."""

from datetime import datetime

from accord.agreements.choices import Metric
from accord.agreements.inheritance import effective_targets
from accord.measurement.availability import measure

from .versions import in_force_bounds


def availability_rows(agreements, versions, period, now: datetime, effective=None
                      ) -> list[dict]:
    """``effective``: per version pk, its effective targets (else read here)."""
    rows = []
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
                rows.append(_row(target, version, agreement, service, lo, hi))
    return rows


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
