"""Experience rows of the compliance JSON and the ``experience`` KPI, for
``accord.reporting.compliance.compliance_report`` (the one compliance function)."""

from datetime import datetime

from accord.agreements.choices import ExperienceMeasure, Metric

from .xla import measure_values, verdict

NOT_ENOUGH = "not enough responses"
# The keys of an SLA target row that mean nothing for an experience target.
NULL_KEYS = ("met", "breached", "excluded", "open", "ended", "compliance_percent",
             "compliance_percent_raw", "objectives_missed", "shortfall", "duration_seconds",
             "objective_percent", "credit_due")


def _span(version, start: datetime, end: datetime) -> tuple[datetime, datetime] | None:
    """The part of [start, end) in which ``version`` was in force (``in_force``: the spans
    the reporting app found, where a later version ends a superseded one)."""
    spans = getattr(version, "in_force", None)
    if spans is not None:
        inside = [(max(lo, start), min(hi, end)) for lo, hi in spans if lo < end and hi > start]
        return (min(lo for lo, _ in inside), max(hi for _, hi in inside)) if inside else None
    lo = max(start, version.effective_from) if version.effective_from else start
    hi = min(end, version.effective_to) if version.effective_to else end
    return (lo, hi) if lo < hi else None


def experience_row(target, version, agreement_ids, start, end, now) -> dict:
    span = _span(version, start, end)
    value = None
    if span is not None:
        value = measure_values(agreement_ids, span[0], span[1], now,
                               service_id=target.service_id,
                               measures=[target.measure])[target.measure]
    shown = value.shown if value else None
    responses = value.responses if value else 0
    met = verdict(value, target.threshold, target.direction, target.min_responses or 1
                  ) if value else None
    note = None
    if shown is None:
        note = "no data"
    elif met is None:
        note = f"{NOT_ENOUGH} ({responses} of {target.min_responses or 1})"
    service = target.service.name if target.service_id else None
    return {
        "target": target.pk, "version": version.number,
        "agreement": version.agreement.reference, "name": str(target),
        "metric": Metric.EXPERIENCE.value, "service": service,
        "type": target.ticket_type or None, "priority": target.priority or None,
        "key": {"metric": Metric.EXPERIENCE.value, "service": service,
                "type": target.ticket_type or None, "priority": target.priority or None,
                "measure": target.measure},
        "measure": target.measure, "value": shown, "responses": responses,
        "threshold": float(target.threshold) if target.threshold is not None else None,
        "direction": target.direction, "min_responses": target.min_responses or 1,
        "objective_met": met, "note": note, "objective_period": target.period,
        **dict.fromkeys(NULL_KEYS), "credit_basis": target.credit_basis,
        "credit_note": "experience targets carry no service credit", "attribution": {},
    }


def experience_rows(agreements, versions, effective, period, now) -> list[dict]:
    """One row per experience target (inherited ones included) of each version in force."""
    chain = [a.pk for a in agreements]
    rows = []
    for version in versions:
        # The root agreement's rows count its whole chain (include_children); others their own.
        ids = chain if version.agreement_id == chain[0] else [version.agreement_id]
        for found in effective.get(version.pk, []):
            target = found.target
            if target.metric == Metric.EXPERIENCE and target.measure:
                rows.append(experience_row(target, version, ids, period.start_utc,
                                           period.end_utc, now))
    return rows


def experience_kpi(agreement_ids, period, now) -> dict:
    """The ``experience`` KPI: the period's value of each measure (None without data)."""
    values = measure_values(list(agreement_ids), period.start_utc, period.end_utc, now)
    return {m: values[m].shown for m in ExperienceMeasure.values}
