"""Read models of the escalation app. Escalation data is internal: portal users see none."""

from django.utils import timezone

from accord.lib.errors import InvalidInput
from accord.measurement.choices import ClockState
from accord.measurement.models import Clock

from . import clocks as stored
from .choices import Level, NotificationStatus
from .conf import setting
from .models import Channel, Escalation, EscalationPolicy, Notification


def _internal(user) -> bool:
    return user.can("view") and not user.is_portal


def channels(user):
    return Channel.objects.all() if _internal(user) else Channel.objects.none()


def policies(user, agreement_id: int | None = None):
    queryset = EscalationPolicy.objects.prefetch_related("steps__channels")
    if not _internal(user):
        return queryset.none()
    return queryset.filter(agreement_id=agreement_id) if agreement_id else queryset


def policy_for(agreement_id: int | None = None, target_id: int | None = None):
    """The policy that governs a clock: its target's, else its agreement's, else the global
    default; None when there is none."""
    candidates = EscalationPolicy.objects.prefetch_related("steps__channels")
    if target_id is not None:
        found = candidates.filter(target_id=target_id).first()
        if found:
            return found
    if agreement_id is not None:
        found = candidates.filter(agreement_id=agreement_id, target__isnull=True).first()
        if found:
            return found
    return candidates.filter(agreement__isnull=True, target__isnull=True).first()


def notifications(user, status: str | None = None, channel_id: int | None = None):
    queryset = Notification.objects.select_related("channel")
    if not _internal(user):
        return queryset.none()
    if status:
        if status not in NotificationStatus.values:
            raise InvalidInput(
                f"status must be one of {', '.join(NotificationStatus.values)}", field="status"
            )
        queryset = queryset.filter(status=status)
    if channel_id is not None:
        queryset = queryset.filter(channel_id=channel_id)
    return queryset


def escalations(user, level: str | None = None, open_only: bool = False,
                clock_ref: str | None = None):
    queryset = Escalation.objects.select_related(
        "acknowledged_by", "recovery_owner", "decided_by")
    if not _internal(user):
        return queryset.none()
    if level:
        if level not in Level.values:
            raise InvalidInput(f"level must be one of {', '.join(Level.values)}", field="level")
        queryset = queryset.filter(level=level)
    if open_only:
        queryset = queryset.filter(decided_at__isnull=True)
    if clock_ref:
        queryset = queryset.filter(clock_ref=clock_ref)
    return queryset


def _prediction_row(clock, now, cache) -> dict:
    found = stored.prediction(clock, now, cache)
    level = setting("ACCORD_AT_RISK_PROBABILITY")
    return {"clock_id": clock.pk, "ticket": str(clock.ticket), "target_id": clock.target_id,
            "state": clock.state, "percent": found.percent, "probability": found.probability,
            "sample_size": found.sample_size, "breached": found.breached,
            "cohort": found.cohort, "at_risk": clock.state == ClockState.RUNNING
            and found.at_risk(level), "level": level}


def _clocks(user):
    queryset = Clock.objects.select_related(
        "ticket__service", "ticket__customer", "target__version__agreement", "calendar")
    return queryset if _internal(user) else queryset.none()


def prediction(user, clock_id: int, now=None) -> dict | None:
    """The breach prediction of one clock; None when the user may not see it."""
    clock = _clocks(user).filter(pk=clock_id).first()
    return None if clock is None else _prediction_row(clock, now or timezone.now(), {})


def at_risk(user, now=None) -> list[dict]:
    """Running clocks whose breach probability reaches ACCORD_AT_RISK_PROBABILITY, most
    likely first. Reads every running clock: an on-demand report, not a worker path."""
    now = now or timezone.now()
    cache: dict = {}
    rows = [_prediction_row(c, now, cache)
            for c in _clocks(user).filter(state=ClockState.RUNNING, stopped_at__isnull=True)]
    return sorted((r for r in rows if r["at_risk"]), key=lambda r: -r["probability"])
