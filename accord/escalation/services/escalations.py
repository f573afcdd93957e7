"""Escalation records: firing a step (the seam clock firing calls), acknowledgement and the
recorded decision."""

from django.db import IntegrityError, transaction
from django.utils.html import escape, linebreaks

from accord.accounts.choices import AuditAction
from accord.accounts.models import User
from accord.accounts.services import record_change, snapshot
from accord.lib.errors import DomainError, Forbidden, InvalidInput

from ..choices import ChannelKind
from ..models import Escalation, EscalationStep
from ..recipients import Context, resolve
from .outbox import enqueue, require_aware


def _html(subject: str, body: str, level: str, requires_ack: bool) -> str:
    ack = "<p><strong>Please acknowledge this escalation.</strong></p>" if requires_ack else ""
    return (f"<h2>{escape(subject)}</h2>{linebreaks(body, autoescape=True)}"
            f"<p>Escalation level {escape(level)}</p>{ack}")


def fire_step(step: EscalationStep, *, key: str, clock_ref: str, subject: str, body: str,
              now, context: Context | None = None, ticket_ref: str = "",
              payload: dict | None = None, clock=None, follow_up: dict | None = None,
              known_new: bool = False) -> Escalation:
    """Record that ``step`` fired and put its notifications in the outbox, in one transaction.

    Fires once per ``key`` (e.g. clock, threshold and cycle): a second call returns the first
    record and sends nothing. ``clock`` is the stored clock it fired on; ``follow_up`` the
    follow-up action a breach opens; ``known_new`` skips the look-up of an earlier record
    (the caller checked; the unique key still guards). Email channels get one message per
    recipient address plus the channel's own addresses; chat and webhook channels one
    message naming the recipients.
    """
    require_aware(now)
    if not key or len(key) > 200:
        raise InvalidInput("key must be 1 to 200 characters", field="key")
    existing = None if known_new else Escalation.objects.filter(key=key).first()
    if existing is not None:
        return existing
    recipients = resolve(step.recipients, context or Context())
    labels = [r.label for r in recipients]
    html = _html(subject, body, step.level, step.requires_ack)
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                key=key, policy_id=step.policy_id, step=step, level=step.level,
                clock_ref=clock_ref, clock=clock, follow_up=follow_up, ticket_ref=ticket_ref,
                subject=" ".join(subject.split()),
                at=now, requires_ack=step.requires_ack,
                recipients=[{"spec": r.spec, "label": r.label, "email": r.email}
                            for r in recipients],
            )
            data = {**(payload or {}), "escalation_id": escalation.pk, "level": step.level,
                    "clock_ref": clock_ref, "ticket_ref": ticket_ref, "recipients": labels,
                    "requires_ack": step.requires_ack}
            for channel in [c for c in step.channels.all() if c.enabled]:
                if channel.kind == ChannelKind.EMAIL:
                    addresses = [r.email for r in recipients if r.email]
                    addresses += [a for a in channel.config.get("addresses", [])
                                  if a not in addresses]
                    targets = [(a, f"{key}:{channel.pk}:{a.lower()}") for a in addresses]
                else:
                    targets = [(", ".join(labels)[:254], f"{key}:{channel.pk}")]
                for recipient, notification_key in targets:
                    enqueue(channel, recipient, subject, body, html, data, notification_key, now,
                            escalation=escalation, fresh=True)
    except IntegrityError:  # another worker fired the same key first
        return Escalation.objects.get(key=key)
    return escalation


@transaction.atomic
def check_responder(escalation: Escalation, by) -> None:
    """Service level managers answer any escalation; below them, for an escalation of a
    clock, only the owner of the ticket's service or someone it notified. (Callers have
    checked ``change_own_service`` already.)"""
    if by.can("change_catalogue") or escalation.clock is None:
        return
    service = escalation.clock.ticket.service
    notified = {r.get("email", "").lower() for r in escalation.recipients} - {""}
    if service is not None and service.owner_id == by.pk:
        return
    if by.email and by.email.lower() in notified:
        return
    raise Forbidden("only the service's owner, the people it notified or a service level "
                    "manager may answer this escalation")


def acknowledge(escalation: Escalation, *, by, now) -> Escalation:
    require_aware(now)
    check_responder(escalation, by)
    changed = Escalation.objects.filter(pk=escalation.pk, acknowledged_at__isnull=True).update(
        acknowledged_by=by, acknowledged_at=now
    )
    escalation.refresh_from_db()
    if changed != 1:
        raise DomainError(
            f"already acknowledged by {escalation.acknowledged_by or 'a former user'} "
            f"at {escalation.acknowledged_at.isoformat()}"
        )
    record_change(by, escalation, AuditAction.TRANSITION,
                  changes={"acknowledged_at": [None, now]}, message="acknowledged")
    return escalation


@transaction.atomic
def record_decision(escalation: Escalation, *, by, now, recovery_owner_id: int,
                    action_taken: str) -> Escalation:
    """Who owns recovery and what was done. Recording again replaces it (audited)."""
    require_aware(now)
    check_responder(escalation, by)
    owner = User.objects.filter(pk=recovery_owner_id, is_active=True).first()
    if owner is None or owner.is_portal:
        raise InvalidInput(f"no active staff user {recovery_owner_id}",
                           field="recovery_owner_id")
    action_taken = (action_taken or "").strip()
    if not action_taken:
        raise InvalidInput("action_taken must not be empty", field="action_taken")
    before = snapshot(escalation)
    escalation.recovery_owner = owner
    escalation.action_taken = action_taken
    escalation.decided_by = by
    escalation.decided_at = now
    escalation.save(update_fields=["recovery_owner", "action_taken", "decided_by", "decided_at"])
    record_change(by, escalation, AuditAction.UPDATE, before=before, after=snapshot(escalation),
                  message="decision recorded")
    return escalation
