"""Investigation of a missed objective: one target of an agreement whose compliance fell
below its objective in one period (a month, quarter or year in the agreement's reporting
zone). The record (``ObjectiveInvestigation``) lives in measurement, keyed by the target's key
and the period; whether the objective was missed is the compliance report's verdict, read
here (reviews sits above reporting). The responsible party is suggested from who held most
of the breached business time of the target in the period (the report's attribution, as the
breach investigation suggests from one clock's), and confirmed by a person."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change, snapshot
from accord.agreements.choices import DURATION_METRICS
from accord.agreements.models import Agreement, Target
from accord.lib.errors import DomainError, InvalidInput
from accord.measurement.choices import ResponsibleParty
from accord.measurement.models import ObjectiveInvestigation, ReasonCode
from accord.reporting.aggregate import top_holder
from accord.reporting.breaches import breached_clocks
from accord.reporting.compliance import period_rows
from accord.reporting.kpis import party_of
from accord.reporting.periods import MONTHS_IN, Period

from .investigations import FIELDS, problem_tickets


@dataclass
class Objective:
    """One target's objective in one period, with the report's figures: ``rows`` are the
    compliance rows of the target's key (one per version in force in the period)."""

    agreement: Agreement
    period: Period
    target_id: int
    rows: list[dict]
    now: datetime

    @property
    def row(self) -> dict:
        return next(r for r in self.rows if r["target"] == self.target_id)

    @property
    def key(self) -> dict:
        return self.row["key"]

    @property
    def judged_per(self) -> str | None:
        """The target's objective period when it is longer than this period (then this
        period has no verdict of its own), else None."""
        kind = self.row["objective_period"]
        return kind if MONTHS_IN[kind] > self.period.months else None

    @property
    def missed(self) -> bool:
        """The report's verdict: below the objective over the period; over a longer period
        than the objective's, below it in one of its parts."""
        if self.judged_per:
            return False
        if MONTHS_IN[self.row["objective_period"]] < self.period.months:
            return any((r["objectives_missed"] or 0) > 0 for r in self.rows)
        return any(r["objective_met"] is False for r in self.rows)

    @property
    def attribution(self) -> dict[str, float]:
        """Breached business seconds per holder (``team NAME``, ``supplier NAME``)."""
        held: dict[str, float] = {}
        for r in self.rows:
            for holder, seconds in (r.get("attribution") or {}).items():
                held[holder] = held.get(holder, 0.0) + seconds
        return held

    @property
    def suggested_party(self) -> str:
        party = party_of(top_holder(self.attribution))
        return party if party in ResponsibleParty.values else ResponsibleParty.UNKNOWN

    @property
    def suggestion_reason(self) -> str:
        """Why the party is suggested, in words."""
        held = self.attribution
        total = sum(held.values())
        if not total:
            return "Nobody held business time of the breached clocks: the party is unknown."
        holder = top_holder(held)
        share = round(100 * held[holder] / total)
        role, _, name = holder.partition(" ")
        who = f"{role.capitalize()} {name}" if name else "Nobody (unassigned)"
        return (f"{who} held {share} % of the breached business time of this target in the "
                f"period ({len(held)} holder{'s' if len(held) != 1 else ''}).")

    def clocks(self):
        """The breached clocks of the target's key in the period (the breach list's rule),
        oldest first."""
        return (breached_clocks([self.agreement.pk], self.period.start_utc,
                                self.period.end_utc, self.now)
                .filter(target_id__in={r["target"] for r in self.rows})
                .select_related("ticket", "target").order_by("breached_at", "due_at", "pk"))

    def lookup(self) -> dict:
        """The fields that find its investigation."""
        key = self.key
        service = Target.objects.filter(pk=self.target_id).values_list("service_id",
                                                                       flat=True).first()
        return {"agreement": self.agreement, "metric": key["metric"], "service_id": service,
                "ticket_type": key["type"] or "", "priority": key["priority"] or "",
                "period_kind": self.period.kind, "period_start": self.period.start_utc}

    def investigation(self) -> ObjectiveInvestigation | None:
        return (ObjectiveInvestigation.objects.filter(**self.lookup())
                .select_related("reason", "confirmed_by").prefetch_related("problems")
                .first())

    def empty(self) -> ObjectiveInvestigation:
        """An unsaved investigation with the suggested party (what GET shows before one)."""
        return ObjectiveInvestigation(**self.lookup(), period_end=self.period.end_utc,
                                      suggested_party=self.suggested_party)


def objective(agreement: Agreement, target_id, period: Period, now: datetime) -> Objective:
    """The objective of target ``target_id`` of ``agreement`` in ``period`` (read in the
    agreement's reporting zone), as the compliance report sees it. Bad input names the field
    (``target``)."""
    try:
        target_id = int(target_id)
    except (TypeError, ValueError):
        raise InvalidInput(f"target must be a target id, got {target_id!r}", "target")
    period = period.in_zone(agreement.reporting_zone)
    target_rows, _, _ = period_rows([agreement], period, now)
    rows = [r for r in target_rows if r.get("metric") in DURATION_METRICS]
    found = next((r for r in rows if r["target"] == target_id), None)
    if found is None:
        raise InvalidInput(f"target {target_id} is not a clock target of "
                           f"{agreement.reference} in {period.label}", "target")
    return Objective(agreement, period, target_id,
                     [r for r in rows if r["key"] == found["key"]], now)


def refusal(found: Objective) -> str | None:
    """Why ``found`` cannot be investigated (its objective was not missed), or None."""
    if found.judged_per:
        return (f"the objective of this target is judged per {found.judged_per}: "
                f"investigate the {found.judged_per} that missed it")
    if found.missed:
        return None
    row = found.row
    figure = "had no clocks counted"
    if row["compliance_percent"] is not None:
        figure = (f"was {row['compliance_percent']:g} % against "
                  f"{row['objective_percent']:g} %")
    return f"the objective was not missed in {found.period.label}: compliance {figure}"


def missed_objective(agreement: Agreement, target_id, period: Period, now: datetime,
                     field: str = "month") -> Objective:
    """``objective(...)``, refused (409, naming ``field``: the period's) unless the
    objective was missed in the period."""
    found = objective(agreement, target_id, period, now)
    if message := refusal(found):
        raise DomainError(message, field)
    return found


def record(found: Objective, *, by, values: dict, now) -> ObjectiveInvestigation:
    """Create or change the investigation of a missed objective: reason code, root cause,
    confirmed party (by ``by``), problem tickets. Validates everything before writing;
    audited (created, or before/after)."""
    unknown = set(values) - FIELDS
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"{name} is not an investigation field", name)
    if not found.missed:  # what the callers checked, held here too
        raise DomainError(f"the objective was not missed in {found.period.label}", "period")
    investigation = found.investigation()
    created = investigation is None
    if created:
        investigation = found.empty()
        investigation.updated_at = now
    before = None if created else snapshot(investigation)
    if "reason" in values:
        code = values["reason"]
        reason = None
        if code not in (None, ""):
            reason = ReasonCode.objects.filter(code=code, active=True).first()
            if reason is None:
                raise InvalidInput(f"no active reason code {code!r}", "reason")
        investigation.reason = reason
    if "root_cause" in values:
        investigation.root_cause = (values["root_cause"] or "").strip()
    if "party" in values:
        party = values["party"] or ""
        if party and party not in ResponsibleParty.values:
            raise InvalidInput(f"party must be one of {', '.join(ResponsibleParty.values)}",
                               "party")
        if party != investigation.party or (party and investigation.confirmed_by_id is None):
            investigation.party = party
            investigation.confirmed_by = by if party else None
            investigation.confirmed_at = now if party else None
    problems = problem_tickets(values["problems"]) if "problems" in values else None
    investigation.updated_at = now
    try:
        return _save(investigation, problems, by=by, created=created, before=before)
    except IntegrityError:  # another request created it meanwhile: nothing of this was kept
        raise DomainError("this objective was investigated meanwhile: reload and try again",
                          "period")


def _save(investigation, problems, *, by, created: bool, before) -> ObjectiveInvestigation:
    with transaction.atomic():
        investigation.save()
        if problems is not None:
            investigation.problems.set(problems)
        if created:
            record_change(by, investigation, AuditAction.CREATE,
                          message="missed objective investigated")
        else:
            record_change(by, investigation, AuditAction.UPDATE, before=before,
                          after=snapshot(investigation))
    return investigation
