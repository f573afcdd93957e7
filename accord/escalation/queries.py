"""Read models of the escalation app. Escalation data is internal: portal users see none."""

from accord.lib.errors import InvalidInput

from .choices import Level, NotificationStatus
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
