"""What-if replay: how an agreement version (a draft, an older version, or a hypothetical one
built from an SLR) would have done over the real event history of a period.

``simulate(version, first, last, now=..., by=...)`` answers the JSON of
``POST /api/v1/agreements/{id}/versions/{version}/simulate`` and ``accord simulate``::

    {"agreement", "version", "from", "to", "time_zone",
     "months": [compliance JSON per month], "baseline": {"version", "months": [...]}}

``first`` and ``last`` are dates, both inclusive, in the agreement's reporting zone; the
months are the whole months they touch. Each month is ``reporting.compliance_report`` fed
with the replayed rows (``rows=``), restricted to the simulated version's targets; the
baseline is the same function on the stored clocks (the version in force). Nothing is written
but one audit entry ("simulated") on the version.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change
from accord.agreements.choices import Period as PeriodKind
from accord.agreements.models import AgreementVersion
from accord.agreements.validation import require_now
from accord.lib.errors import InvalidInput
from accord.reporting.compliance import compliance_report
from accord.reporting.kpis import keeping_stored_kpis
from accord.reporting.periods import Period
from accord.reporting.stored import stored_aggregates

from .replay import replay_aggregates, tickets_for

MAX_MONTHS = 36


def parse_day(value, field: str) -> date:
    if isinstance(value, datetime):
        raise InvalidInput(f"{field} must be a date like 2025-01-31, not an instant", field)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise InvalidInput(f"{field} must be a date like 2025-01-31, got {value!r}",
                           field) from None


def months_between(first: date, last: date, tz: str) -> list[Period]:
    """The months (in ``tz``) that [first, last] touches; errors name ``from``/``to``."""
    if last < first:
        raise InvalidInput(f"to ({last}) is before from ({first})", "to")
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    if count > MAX_MONTHS:
        raise InvalidInput(f"the range spans {count} months; at most {MAX_MONTHS}", "to")
    start = Period(PeriodKind.MONTH, first.year, first.month, tz)
    return [start.shift(i) for i in range(count)]


def local_bounds(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) in ``tz``, as aware instants."""
    zone = ZoneInfo(tz)
    return (datetime.combine(first, time(), zone),
            datetime.combine(last + timedelta(days=1), time(), zone))


def _only(report: dict, number: int) -> dict:
    """The month's report restricted to the simulated version's target rows."""
    report["targets"] = [row for row in report["targets"] if row["version"] == number]
    report["versions"] = [number]
    return report


def edges(months: list[Period]) -> list[datetime]:
    """The UTC edges of consecutive ``months`` (the aggregations' buckets)."""
    return [m.start_utc for m in months] + [months[-1].end_utc]


def replayed_months(version: AgreementVersion, months: list[Period], now: datetime,
                    meanwhile=None) -> list[dict]:
    """Compliance JSON per month of ``version`` replayed over the stored events
    (``meanwhile``: see ``replay_aggregates``)."""
    agreement = version.agreement
    bounds = edges(months)
    ids = tickets_for(agreement, bounds[0], bounds[-1])
    aggregates = replay_aggregates(agreement, version, ids, bounds, now, meanwhile=meanwhile)
    # rows=(): replayed figures, nothing read of the stored clocks (no "open at risk now")
    return [_only(compliance_report(agreement, month, now=now, rows=(),
                                    aggregate=aggregates[i]), version.number)
            for i, month in enumerate(months)]


def baseline(agreement, months: list[Period], now: datetime) -> dict:
    """The stored figures month by month (the stored clocks read once for all the months:
    ``stored_aggregates``), and the version in force (now, else at the end)."""
    in_force = agreement.version_in_force(now) or agreement.version_in_force(
        months[-1].end_utc - timedelta(microseconds=1))
    aggregates = stored_aggregates([agreement.pk], edges(months), now)
    return {"version": in_force.number if in_force else None,
            "months": [compliance_report(agreement, month, now=now, aggregate=aggregates[i])
                       for i, month in enumerate(months)]}


def simulate(version: AgreementVersion, first, last, *, now: datetime, by=None,
             audit: bool = True) -> dict:
    """Replay ``version`` over [first, last] (dates in the reporting zone). See the module
    docstring. ``audit=False`` for a hypothetical version the caller audits itself."""
    now = require_now(now)
    first, last = parse_day(first, "from"), parse_day(last, "to")
    agreement = version.agreement
    tz = agreement.reporting_zone
    months = months_between(first, last, tz)
    stored = {}
    with keeping_stored_kpis():
        # The baseline's reports are read while the replay's processes work.
        replayed = replayed_months(version, months, now, meanwhile=lambda: stored.update(
            baseline(agreement, months, now)))
        result = {
            "agreement": agreement.reference,
            "version": version.number,
            "status": version.status,
            "from": first.isoformat(), "to": last.isoformat(), "time_zone": tz,
            "months": replayed,
            "baseline": stored,
        }
    if audit:
        record_change(by, version, AuditAction.SIMULATE, changes={},
                      message=f"simulated over {first} – {last} ({tz})")
    return result


def comparison(result: dict) -> list[dict]:
    """Per target of the simulated version (by key), its compliance per month beside the
    baseline's row with the same key: the table and chart of the page."""
    keys: dict[tuple, dict] = {}
    for i, month in enumerate(result["months"]):
        label = month["period_label"]
        base_rows = {_key(r): r for r in result["baseline"]["months"][i]["targets"]}
        for row in month["targets"]:
            key = _key(row)
            entry = keys.setdefault(key, {"name": row["name"], "key": row["key"],
                                          "objective_percent": row["objective_percent"],
                                          "months": []})
            base = base_rows.get(key)
            entry["months"].append({
                "month": label,
                "compliance_percent": row["compliance_percent"],
                "breached": row["breached"], "met": row["met"],
                "objective_met": row["objective_met"],
                "credit_due": row["credit_due"],
                "baseline_percent": base["compliance_percent"] if base else None,
                "baseline_breached": base["breached"] if base else None,
                "baseline_objective_met": base["objective_met"] if base else None,
            })
    return list(keys.values())


def _key(row: dict) -> tuple:
    key = row["key"]
    return (key["metric"], key["service"], key["type"], key["priority"])


class _Discard(Exception):
    """Raised to roll back the hypothetical version once it has been replayed."""


def slr_agreement(slr, now: datetime, agreement=None):
    """The SLA an SLR's hypothetical version goes into: ``agreement`` if given (an SLA of the
    SLR's customer or of all customers), else the customer's SLA in force now for the SLR's
    service (one of all customers if the customer has none)."""
    from accord.agreements.choices import AgreementKind
    from accord.agreements.queries import agreements_covering

    if agreement is not None:
        if agreement.kind != AgreementKind.SLA or agreement.customer_id not in (
                None, slr.customer_id):
            raise InvalidInput(f"{agreement.reference} is not an SLA with {slr.customer}",
                               "agreement")
        return agreement
    found = [a for a in agreements_covering(now, customer=slr.customer, service=slr.service)
             if a.kind == AgreementKind.SLA]
    found.sort(key=lambda a: (a.customer_id != slr.customer_id, a.pk))
    if not found:
        raise InvalidInput(f"no SLA of {slr.customer} is in force to replay against: name one",
                           "agreement")
    return found[0]


def simulate_slr(slr, first, last, *, now: datetime, by=None, agreement=None) -> dict:
    """"Which of these targets would we have met for this customer?": the SLR's requested
    targets as a hypothetical version of the customer's SLA (its draft's place), replayed over
    [first, last] beside the version in force. The hypothetical version is built inside a
    savepoint that is rolled back: nothing is kept but one audit entry on the SLR."""
    from django.db import transaction

    from accord.agreements import versions
    from accord.agreements.models import Target

    now = require_now(now)
    first, last = parse_day(first, "from"), parse_day(last, "to")
    agreement = slr_agreement(slr, now, agreement)
    months_between(first, last, agreement.reporting_zone)  # the range's errors first
    if not slr.requested_targets:
        raise InvalidInput(f"{slr} has no requested targets", "requested_targets")
    result = None
    try:
        with transaction.atomic():
            draft = agreement.draft_version() or versions.new_draft_version(
                agreement, by=by, now=now)
            Target.objects.filter(version=draft).delete()
            for i, item in enumerate(slr.requested_targets):
                terms = {k: v for k, v in item.items() if k != "note"}
                try:
                    versions.add_target(draft, by=by, now=now, service=slr.service, **terms)
                except InvalidInput as exc:
                    raise InvalidInput(f"requested_targets[{i}]: {exc.message}",
                                       f"requested_targets[{i}].{exc.field}") from None
            draft.refresh_from_db()
            result = simulate(draft, first, last, now=now, by=by, audit=False)
            raise _Discard
    except _Discard:
        pass
    result.update(version=None, status="hypothetical", slr=slr.pk, slr_title=slr.title)
    record_change(by, slr, AuditAction.SIMULATE, changes={},
                  message=f"requested targets replayed as {agreement.reference} over "
                          f"{first} – {last}")
    return result
