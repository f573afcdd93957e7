"""The watermelon check: green outside (SLA objectives met), red inside (users unhappy).

Per agreement, service and period (``watermelon_flags`` reads the rows the compliance
function already computed):

- ``watermelon`` / ``experience_missed``: every SLA objective judged for the service was
  met, and an experience (XLA) objective of the service was missed;
- ``watermelon`` / ``satisfaction_falling``: every SLA objective was met, and the CSAT
  average fell in each of the last three periods (four periods of values, each lower than
  the one before; the SLA verdict is this period's);
- ``reverse`` / ``sla_missed_users_happy``: an SLA objective was missed while every judged
  experience objective of the service was met: a target that measures the wrong thing?

SLA rows of the whole agreement (no service) count for every service. Each flag carries
its evidence: the targets, the scores, the worst comments (never the respondent).
"""

from django.db.models import Case, F, FloatField, Value, When
from django.db.models.functions import Cast

from accord.agreements.choices import ExperienceMeasure, Metric
from accord.catalogue.models import Service

from .choices import FeedbackKind
from .xla import feedback_of, measure_values

WATERMELON, REVERSE = "watermelon", "reverse"
FALLING_PERIODS = 3
WORST = 3


def _sla_rows(target_rows, availability, service):
    rows = [{"target": r["target"], "name": r["name"], "metric": r["metric"],
             "service": r["service"], "compliance_percent": r["compliance_percent"],
             "objective_percent": r["objective_percent"], "objective_met": r["objective_met"]}
            for r in target_rows
            if r["metric"] != Metric.EXPERIENCE and r["objective_met"] is not None]
    rows += [{"target": r["target"], "name": f"availability {r['service']}",
              "metric": Metric.AVAILABILITY, "service": r["service"],
              "compliance_percent": r["measured_percent"],
              "objective_percent": r["target_percent"], "objective_met": r["met"]}
             for r in availability if r.get("met") is not None]
    if service is None:
        return rows
    return [r for r in rows if r["service"] in (None, service)]


def _evidence_row(r) -> dict:
    return {k: r[k] for k in ("target", "name", "measure", "value", "responses", "threshold",
                              "direction", "objective_met")}


def worst_comments(agreement_ids, start, end, service_id=None, limit=WORST) -> list[dict]:
    """The lowest-scored feedback with a comment (a complaint counts as the lowest)."""
    badness = Case(When(kind=FeedbackKind.COMPLAINT, then=Value(-1.0)),
                   When(score__isnull=False, scale__gt=0,
                        then=Cast(F("score"), FloatField()) / Cast(F("scale"), FloatField())),
                   default=Value(2.0), output_field=FloatField())
    rows = (feedback_of(agreement_ids, start, end, service_id).exclude(text="")
            .exclude(kind=FeedbackKind.COMPLIMENT).annotate(badness=badness)
            .order_by("badness", "-at", "-id")[:limit])
    return [{"kind": f.kind, "score": f.score, "scale": f.scale, "text": f.text[:500],
             "timestamp": f.at.isoformat(), "source": f.source, "id": f.feedback_id}
            for f in rows]


def csat_trend(agreement_ids, period, now, service_id=None, periods=FALLING_PERIODS + 1):
    """CSAT averages of the last ``periods`` periods, oldest first (None: no answers)."""
    values = []
    for back in range(periods - 1, -1, -1):
        p = period.shift(-back)
        values.append(measure_values(agreement_ids, p.start_utc, p.end_utc, now,
                                     service_id=service_id,
                                     measures=[ExperienceMeasure.CSAT_AVERAGE]
                                     )[ExperienceMeasure.CSAT_AVERAGE].shown)
    return values


def _falling(values) -> bool:
    return all(v is not None for v in values) and all(
        b < a for a, b in zip(values, values[1:], strict=False))


def watermelon_flags(agreement, period, target_rows, availability, now, *,
                     agreement_ids=None) -> list[dict]:
    """The flags of one agreement's period (see the module docstring)."""
    ids = list(agreement_ids or [agreement.pk])
    experience = [r for r in target_rows if r["metric"] == Metric.EXPERIENCE]
    services = sorted({r["service"] for r in experience} | {None}, key=lambda s: s or "")
    flags = []
    for service in services:
        sla = _sla_rows(target_rows, availability, service)
        mine = [r for r in experience if r["service"] == service]
        judged = [r for r in mine if r["objective_met"] is not None]
        missed = [r for r in judged if r["objective_met"] is False]
        green = bool(sla) and all(r["objective_met"] for r in sla)
        red = [r for r in sla if r["objective_met"] is False]
        service_id = (Service.objects.filter(name=service).values_list("pk", flat=True).first()
                      if service is not None else None)
        kind = reason = trend = None
        if green and missed:
            kind, reason = WATERMELON, "experience_missed"
        elif green:
            trend = csat_trend(ids, period, now, service_id)
            if _falling(trend):
                kind, reason = WATERMELON, "satisfaction_falling"
        elif red and judged and not missed:
            kind, reason = REVERSE, "sla_missed_users_happy"
        if kind is None:
            continue
        flags.append({
            "kind": kind, "reason": reason, "agreement": agreement.reference,
            "service": service, "period": period.label,
            "sla_targets": red if kind == REVERSE else sla,
            "experience_targets": [_evidence_row(r) for r in (missed or judged)],
            "scores": {r["measure"]: r["value"] for r in mine},
            "csat_trend": trend,
            "worst_comments": worst_comments(ids, period.start_utc, period.end_utc,
                                             service_id),
        })
    return flags

