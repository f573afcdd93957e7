"""The breach-exclusion workflow (the model lives in ``accord.measurement.exclusions``, below
reporting, which reads it).

Anyone internal from analyst up may claim that a breached clock should not count; the
counterparty's signatory or a service level manager decides, never the claimant. Every claim,
edit and decision is audited. The clock itself never changes.
"""

from django.db import IntegrityError, transaction

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change
from accord.agreements import queries as agreement_queries
from accord.lib.errors import DomainError, Forbidden, InvalidInput
from accord.measurement.choices import ClockState, ExclusionReason, ExclusionStatus
from accord.measurement.models import Clock, ClockExclusion

EDITABLE = ("reason", "explanation", "evidence")


def visible_exclusions(user):
    """Exclusions of the clocks of agreements ``user`` may see."""
    agreements = agreement_queries.visible_to(user)
    return (ClockExclusion.objects.filter(clock__agreement_id__in=agreements.values("pk"))
            .select_related("clock", "claimed_by", "decided_by"))


def _clean(values: dict) -> dict:
    out = {}
    if "reason" in values:
        if values["reason"] not in ExclusionReason.values:
            raise InvalidInput(f"reason must be one of {', '.join(ExclusionReason.values)}",
                               "reason")
        out["reason"] = values["reason"]
    for name in ("explanation", "evidence"):
        if name in values:
            text = (values[name] or "").strip()
            if not text:
                raise InvalidInput(f"{name} is required", name)
            out[name] = text
    return out


def claim(*, by, clock_id: int, reason: str, explanation: str, evidence: str, now
          ) -> ClockExclusion:
    """Claim a breached clock as excluded (pending until the counterparty or an SLM decides)."""
    if by.is_portal or not by.can("claim_exclusion"):
        raise Forbidden(f"your role ({by.role}) may not claim exclusions")
    values = _clean({"reason": reason, "explanation": explanation, "evidence": evidence})
    clock = Clock.objects.filter(
        pk=clock_id, agreement_id__in=agreement_queries.visible_to(by).values("pk")).first()
    if clock is None:
        raise InvalidInput(f"no clock {clock_id}", "clock")
    if clock.state != ClockState.BREACHED:
        raise InvalidInput(f"clock {clock_id} is {clock.state}: only a breached clock can be "
                           f"excluded", "clock")
    try:
        with transaction.atomic():
            exclusion = ClockExclusion.objects.create(clock=clock, claimed_by=by, claimed_at=now,
                                                      **values)
            record_change(by, exclusion, AuditAction.CREATE, message="exclusion claimed")
    except IntegrityError:
        raise DomainError(f"clock {clock_id} already has a pending or approved exclusion",
                          "clock")
    return exclusion


def update(exclusion: ClockExclusion, *, by, values: dict) -> ClockExclusion:
    """The claimant (or an SLM) corrects a pending claim."""
    if exclusion.status != ExclusionStatus.PENDING:
        raise DomainError(f"exclusion {exclusion.pk} is {exclusion.status}: it can no longer "
                          f"change", "status")
    if exclusion.claimed_by_id != by.pk and not by.can("approve_exclusion"):
        raise Forbidden("only the claimant or a service level manager may change a claim")
    unknown = set(values) - set(EDITABLE)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"{name} cannot be changed", name)
    cleaned = _clean(values)
    before = {k: getattr(exclusion, k) for k in cleaned}
    for k, v in cleaned.items():
        setattr(exclusion, k, v)
    with transaction.atomic():
        exclusion.save(update_fields=list(cleaned) or None)
        record_change(by, exclusion, AuditAction.UPDATE, before=before,
                      after={k: getattr(exclusion, k) for k in cleaned})
    return exclusion


def may_decide(user, exclusion: ClockExclusion) -> bool:
    if user.pk == exclusion.claimed_by_id:
        return False
    if not user.is_portal and user.can("approve_exclusion"):
        return True
    agreement = exclusion.clock.agreement
    return agreement.counterparty_signatories().filter(pk=user.pk).exists()


def decide(exclusion: ClockExclusion, *, by, approve: bool, note: str = "", now
           ) -> ClockExclusion:
    """Approve or reject a pending claim: the counterparty's signatory or a service level
    manager, never the claimant. Compare-and-set on the pending status."""
    if by.pk == exclusion.claimed_by_id:
        raise Forbidden("the claimant may not decide their own exclusion claim")
    if not may_decide(by, exclusion):
        raise Forbidden("only the counterparty's signatory or a service level manager may "
                        "decide an exclusion")
    status = ExclusionStatus.APPROVED if approve else ExclusionStatus.REJECTED
    with transaction.atomic():
        done = ClockExclusion.objects.filter(pk=exclusion.pk, status=ExclusionStatus.PENDING
                                             ).update(status=status, decided_by=by,
                                                      decided_at=now, decision_note=note or "")
        if done != 1:
            raise DomainError(f"exclusion {exclusion.pk} is not pending", "status")
        exclusion.refresh_from_db()
        record_change(by, exclusion, AuditAction.APPROVE if approve else AuditAction.TRANSITION,
                      changes={"status": [ExclusionStatus.PENDING, status]},
                      message=f"exclusion {status}" + (f": {note}" if note else ""))
    return exclusion
