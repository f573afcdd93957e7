"""OLA/UC fit: do the targets of the OLAs and UCs underpinning an SLA fit inside its targets?

An OLA or UC underpins an SLA when it lists it in ``underpins``; one of its targets
underpins an SLA target when the metric is the same and its scope covers the SLA target's
(an empty service, type or priority matches any).

- **Design-time**: from every hour of the reference fortnight (the next full one: from the
  Monday after ``now``, 00:00 in the SLA's reporting zone, 14 days), the underpinning
  target's due instant on its own calendar must not fall after the SLA target's due instant
  on its calendar (``BusinessCalendar.due_many``). Reported: the share of starts where it
  does and the worst case in hours.
- **Measured**: over the SLA target's clocks stopped in the last 90 days, the share of its
  business time the team or supplier held (the clocks' ``attribution``, summed in the
  database) against the share its OLA/UC allows (its duration / the SLA's).
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import F, FloatField, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce

from accord.agreements.calendars import explain_calendar
from accord.agreements.choices import AgreementKind, AgreementStatus
from accord.catalogue.calendars import business_calendar
from accord.measurement.models import Clock

HOURS = 14 * 24
MEASURED_DAYS = 90


def fortnight(now: datetime, tz: str) -> list[datetime]:
    """Every hour of the next full fortnight (Monday 00:00 local onwards), as UTC instants."""
    local = now.astimezone(ZoneInfo(tz))
    monday = (local + timedelta(days=7 - local.weekday())).date()
    start = datetime(monday.year, monday.month, monday.day, tzinfo=ZoneInfo(tz))
    return [start + timedelta(hours=h) for h in range(HOURS)]


def covers(outer, inner) -> bool:
    """Whether target ``outer``'s scope covers target ``inner``'s (empty matches any)."""
    return (outer.metric == inner.metric
            and outer.service_id in (None, inner.service_id)
            and outer.ticket_type in ("", inner.ticket_type)
            and outer.priority in ("", inner.priority))


def _calendar(target, agreement):
    service = target.service or agreement.single_service()
    return business_calendar(explain_calendar(target, agreement.customer, service).calendar)


def _version(agreement, now):
    return (agreement.version_in_force(now) or agreement.versions.filter(
        frozen_at__isnull=False).order_by("-number").first() or agreement.latest_version())


def underpinning(sla) -> list:
    return list(sla.underpinned_by.filter(kind__in=(AgreementKind.OLA, AgreementKind.UC))
                .exclude(status__in=(AgreementStatus.EXPIRED, AgreementStatus.TERMINATED))
                .select_related("team", "supplier", "calendar", "customer"))


def design_check(sla_target, sla, under_target, under, starts) -> dict:
    stamps = np.array([s.replace(tzinfo=None) for s in starts], dtype="M8[us]")
    sla_due = _calendar(sla_target, sla).due_many(
        stamps, np.full(len(starts), float(sla_target.duration_seconds)))
    under_due = _calendar(under_target, under).due_many(
        stamps, np.full(len(starts), float(under_target.duration_seconds)))
    late = (under_due - sla_due).astype("m8[s]").astype(np.int64)
    worse = late > 0
    return {"starts": len(starts), "late_starts": int(worse.sum()),
            "late_share_percent": round(100 * float(worse.mean()), 2),
            "worst_hours": round(max(0, int(late.max())) / 3600, 2), "fits": not worse.any()}


def holder_of(agreement) -> str:
    return (f"team {agreement.team.name}" if agreement.kind == AgreementKind.OLA
            else f"supplier {agreement.supplier.name}")


def measured_check(sla_target, under_target, under, now) -> dict:
    """The share of the SLA target's business time the holder consumed (database sums)."""
    holder = holder_of(under)
    found = (Clock.objects.filter(target=sla_target, stopped_at__gte=now - timedelta(
        days=MEASURED_DAYS), stopped_at__lt=now)
        .aggregate(total=Coalesce(Sum(F("elapsed_seconds")), 0.0, output_field=FloatField()),
                   held=Coalesce(Sum(Cast(KeyTextTransform(holder, "attribution"),
                                          FloatField())), 0.0, output_field=FloatField())))
    allowed = 100 * under_target.duration_seconds / sla_target.duration_seconds
    used = 100 * found["held"] / found["total"] if found["total"] else None
    return {"holder": holder, "days": MEASURED_DAYS,
            "consumed_percent": round(used, 2) if used is not None else None,
            "allowed_percent": round(allowed, 2),
            "within": None if used is None else used <= allowed}


def fit(sla, now: datetime, version=None, *, measured: bool = True) -> dict:
    """The fit of ``sla`` (its ``version``, default: in force, else latest) with every target
    of the OLAs and UCs underpinning it. ``fits`` is false if any pair misses the rule."""
    version = version or _version(sla, now)
    starts = fortnight(now, sla.reporting_zone)
    pairs = []
    sla_targets = [t for t in version.targets.select_related("service", "calendar")
                   if t.is_duration and t.duration_seconds] if version else []
    for under in underpinning(sla):
        under_version = _version(under, now)
        if under_version is None:
            continue
        for ut in under_version.targets.select_related("service", "calendar"):
            if not ut.is_duration or not ut.duration_seconds:
                continue
            for st in sla_targets:
                if not covers(ut, st):
                    continue
                pair = {"sla_target": st.pk, "sla_target_name": str(st),
                        "sla_duration_seconds": st.duration_seconds,
                        "agreement": under.reference, "agreement_name": under.name,
                        "kind": under.kind, "version": under_version.number,
                        "target": ut.pk, "target_name": str(ut),
                        "duration_seconds": ut.duration_seconds,
                        "design": design_check(st, sla, ut, under, starts)}
                if measured:
                    pair["measured"] = measured_check(st, ut, under, now)
                pairs.append(pair)
    misfits = [p for p in pairs if not p["design"]["fits"]]
    return {"agreement": sla.reference, "version": version.number if version else None,
            "fortnight": {"start": starts[0].isoformat(),
                          "end": (starts[-1] + timedelta(hours=1)).isoformat(),
                          "time_zone": sla.reporting_zone},
            "fits": not misfits, "pairs": pairs,
            "misfits": [f"{p['agreement']} {p['target_name']} ({p['duration_seconds'] / 3600:g} h)"
                        f" under {p['sla_target_name']} ({p['sla_duration_seconds'] / 3600:g} h):"
                        f" due later from {p['design']['late_share_percent']} % of starts, worst"
                        f" {p['design']['worst_hours']} h" for p in misfits]}
