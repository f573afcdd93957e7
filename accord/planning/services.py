"""Writes of the planning app: acknowledging an OLA/UC misfit before signing an SLA, and
the sign-off check that asks for it."""

from datetime import datetime

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change
from accord.agreements.choices import AgreementKind
from accord.agreements.validation import require_now, text
from accord.lib.errors import DomainError, InvalidInput

from .fit import fit
from .models import FitAcknowledgement


def acknowledge_fit(version, *, by, reason: str, now: datetime) -> FitAcknowledgement:
    """Record that ``by`` signs ``version`` (an SLA draft) knowing its OLA/UC targets do not
    fit it, and why."""
    require_now(now)
    reason = text(reason, "reason", 2000)
    if not reason:
        raise InvalidInput("reason is required: why sign although the underpinning does not "
                           "fit", "reason")
    if version.is_frozen:
        raise DomainError(f"{version} is already signed", "version")
    found = fit(version.agreement, now, version, measured=False)
    ack = FitAcknowledgement.objects.create(version=version, by=by if by and by.pk else None,
                                            reason=reason, misfits=found["misfits"], at=now)
    record_change(by, ack, AuditAction.CREATE,
                  message=f"OLA/UC misfit acknowledged for {version}: {reason}")
    return ack


def sign_off_check(version, by, now) -> None:
    """Registered with agreements' sign-off: an SLA version whose underpinning targets do
    not fit needs an acknowledgement (who, why) before it is frozen."""
    agreement = version.agreement
    if agreement.kind != AgreementKind.SLA or not agreement.underpinned_by.exists():
        return
    found = fit(agreement, now, version, measured=False)
    if found["fits"] or FitAcknowledgement.objects.filter(version=version).exists():
        return
    raise DomainError(
        f"the OLA/UC targets underpinning {version} do not fit it ("
        f"{'; '.join(found['misfits'])}): acknowledge it with a reason before signing",
        "fit_acknowledgement")
