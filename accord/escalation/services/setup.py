"""Channels and escalation policies: validated in full before any write, and audited.

Audit rows show channel configs redacted (no webhook secrets or chat tokens in the trail).
"""

from django.db import transaction

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change, snapshot
from accord.agreements.models import Agreement, Target
from accord.lib.errors import DomainError, Forbidden, InvalidInput

from .. import channels
from ..choices import Level, ThresholdKind
from ..models import Channel, EscalationPolicy, EscalationStep
from ..recipients import clean_recipients
from .outbox import require_aware

THRESHOLD_RANGES = {
    ThresholdKind.PERCENT_USED: (1, 1000),  # above 100: after the breach
    ThresholdKind.MINUTES_BEFORE_DUE: (0, 525_600),
    ThresholdKind.AT_RISK: (0, 100),  # breach probability in %; 0: ACCORD_AT_RISK_PROBABILITY
}


def channel_state(channel: Channel) -> dict:
    state = snapshot(channel)
    state["config"] = channel.public_config
    return state


def _clean_name(name, model, exclude_pk=None) -> str:
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name:
        raise InvalidInput("name must not be empty", field="name")
    if model.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        raise InvalidInput(f"name {name!r} is already taken", field="name")
    return name


@transaction.atomic
def create_channel(*, by, name: str, kind: str, config: dict, enabled: bool = True,
                   now) -> Channel:
    require_aware(now)
    name = _clean_name(name, Channel)
    config = channels.clean_config(kind, config)
    channel = Channel.objects.create(name=name, kind=kind, config=config, enabled=enabled,
                                     created_at=now)
    record_change(by, channel, AuditAction.CREATE, after=channel_state(channel))
    return channel


@transaction.atomic
def update_channel(channel: Channel, *, by, **fields) -> Channel:
    """Change name, enabled, kind or config. A config for the same kind is merged into the
    stored one, so a secret need not be sent again; a new kind needs a whole new config."""
    unknown = sorted(set(fields) - {"name", "kind", "config", "enabled"})
    if unknown:
        raise InvalidInput(f"{unknown[0]} cannot be changed", field=unknown[0])
    before = channel_state(channel)
    if "name" in fields:
        channel.name = _clean_name(fields["name"], Channel, exclude_pk=channel.pk)
    kind = fields.get("kind", channel.kind)
    if kind != channel.kind and "config" not in fields:
        raise InvalidInput("a new kind needs its config", field="config")
    if "config" in fields or kind != channel.kind:
        config = fields["config"]
        if kind == channel.kind and isinstance(config, dict):
            config = {**channel.config, **config}
        channel.config = channels.clean_config(kind, config)
        channel.kind = kind
    if "enabled" in fields:
        channel.enabled = bool(fields["enabled"])
    channel.save()
    record_change(by, channel, AuditAction.UPDATE, before=before, after=channel_state(channel))
    return channel


@transaction.atomic
def delete_channel(channel: Channel, *, by) -> None:
    used = channel.notifications.count()
    if used:
        raise DomainError(
            f"channel {channel.name!r} has {used} notification(s) on record; disable it instead"
        )
    record_change(by, channel, AuditAction.DELETE, before=channel_state(channel), after={})
    channel.delete()


def _clean_steps(steps) -> list[dict]:
    if not isinstance(steps, list):
        raise InvalidInput("steps must be a list", field="steps")
    cleaned, seen = [], set()
    for i, step in enumerate(steps):
        where = f"steps.{i}"
        if not isinstance(step, dict):
            raise InvalidInput("each step must be an object", field=where)
        kind = step.get("threshold_kind", ThresholdKind.PERCENT_USED)
        if kind not in ThresholdKind.values:
            raise InvalidInput(f"threshold_kind must be one of {', '.join(ThresholdKind.values)}",
                               field=f"{where}.threshold_kind")
        threshold = step.get("threshold")
        low, high = THRESHOLD_RANGES[kind]
        if isinstance(threshold, bool) or not isinstance(threshold, int) or not (
                low <= threshold <= high):
            raise InvalidInput(f"threshold must be a whole number from {low} to {high}",
                               field=f"{where}.threshold")
        if (kind, threshold) in seen:
            raise InvalidInput(f"two steps at {threshold} ({kind})", field=f"{where}.threshold")
        seen.add((kind, threshold))
        level = step.get("level", Level.L1)
        if level not in Level.values:
            raise InvalidInput(f"level must be one of {', '.join(Level.values)}",
                               field=f"{where}.level")
        channel_ids = step.get("channel_ids", [])
        if not isinstance(channel_ids, list) or not all(
                isinstance(c, int) and not isinstance(c, bool) for c in channel_ids):
            raise InvalidInput("channel_ids must be a list of ids", field=f"{where}.channel_ids")
        found = set(Channel.objects.filter(pk__in=channel_ids).values_list("pk", flat=True))
        missing = [c for c in channel_ids if c not in found]
        if missing:
            raise InvalidInput(f"no channel {missing[0]}", field=f"{where}.channel_ids")
        cleaned.append({
            "threshold_kind": kind, "threshold": threshold, "level": level,
            "recipients": clean_recipients(step.get("recipients", []), f"{where}.recipients"),
            "channel_ids": sorted(set(channel_ids)),
            "requires_ack": bool(step.get("requires_ack", False)),
        })
    return cleaned


def policy_state(policy: EscalationPolicy) -> dict:
    state = snapshot(policy)
    state["steps"] = [
        {"threshold_kind": s.threshold_kind, "threshold": s.threshold, "level": s.level,
         "recipients": s.recipients, "channel_ids": sorted(c.pk for c in s.channels.all()),
         "requires_ack": s.requires_ack}
        for s in policy.steps.prefetch_related("channels")
    ]
    return state


def _write_steps(policy: EscalationPolicy, steps: list[dict]) -> None:
    """Make the policy's steps equal ``steps``, keeping the rows (and ids) of thresholds that
    stay, so escalations already fired keep pointing at their step."""
    existing = {(s.threshold_kind, s.threshold): s for s in policy.steps.all()}
    wanted = {(s["threshold_kind"], s["threshold"]) for s in steps}
    policy.steps.exclude(pk__in=[s.pk for k, s in existing.items() if k in wanted]).delete()
    for data in steps:
        data = dict(data)
        channel_ids = data.pop("channel_ids")
        step = existing.get((data["threshold_kind"], data["threshold"]))
        if step is None:
            step = EscalationStep(policy=policy)
        for field, value in data.items():
            setattr(step, field, value)
        step.save()
        step.channels.set(channel_ids)


def may_change_policy(user, *, agreement_id=None, target_id=None) -> bool:
    """The one permission check for escalation policies (API, admin, services): the global
    default (no agreement, no target) belongs to administrators; a policy of an agreement or
    a target to service level managers."""
    if user is None:  # the system (demo loader, migrations)
        return True
    if agreement_id is None and target_id is None:
        return user.can("change_policy")
    return user.can("change_agreement")


def _check_policy_permission(user, agreement_id, target_id) -> None:
    if not may_change_policy(user, agreement_id=agreement_id, target_id=target_id):
        if agreement_id is None and target_id is None:
            raise Forbidden(f"your role ({user.role}) may not change the global default "
                            "escalation policy: administrators only")
        raise Forbidden(f"your role ({user.role}) may not change escalation policies")


def clean_scope(agreement_id, target_id, exclude_pk=None) -> tuple[int | None, int | None]:
    """(agreement id, target id) for a policy: a target implies its agreement; each scope
    (target, agreement, global default) has at most one policy."""
    others = EscalationPolicy.objects.exclude(pk=exclude_pk)
    if target_id is not None:
        target = Target.objects.select_related("version").filter(pk=target_id).first()
        if target is None:
            raise InvalidInput(f"no target {target_id}", field="target_id")
        if agreement_id is not None and agreement_id != target.version.agreement_id:
            raise InvalidInput(f"target {target_id} belongs to agreement "
                               f"{target.version.agreement_id}", field="agreement_id")
        taken = others.filter(target_id=target_id).first()
        if taken:
            raise InvalidInput(f"target {target_id} already has policy {taken.name!r}",
                               field="target_id")
        return target.version.agreement_id, target_id
    if agreement_id is not None:
        if not Agreement.objects.filter(pk=agreement_id).exists():
            raise InvalidInput(f"no agreement {agreement_id}", field="agreement_id")
        taken = others.filter(agreement_id=agreement_id, target__isnull=True).first()
        if taken:
            raise InvalidInput(f"agreement {agreement_id} already has policy {taken.name!r}",
                               field="agreement_id")
        return agreement_id, None
    taken = others.filter(agreement__isnull=True, target__isnull=True).first()
    if taken:
        raise InvalidInput(f"{taken.name!r} is already the global default policy; give an "
                           "agreement_id or target_id", field="agreement_id")
    return None, None


@transaction.atomic
def create_policy(*, by, name: str, description: str = "", steps: list | None = None,
                  agreement_id: int | None = None, target_id: int | None = None,
                  now) -> EscalationPolicy:
    """A policy for a target, an agreement, or (neither given) the global default."""
    require_aware(now)
    name = _clean_name(name, EscalationPolicy)
    agreement_id, target_id = clean_scope(agreement_id, target_id)
    _check_policy_permission(by, agreement_id, target_id)
    cleaned = _clean_steps(steps or [])
    policy = EscalationPolicy.objects.create(
        name=name, description=description or "", agreement_id=agreement_id,
        target_id=target_id, created_at=now,
    )
    _write_steps(policy, cleaned)
    record_change(by, policy, AuditAction.CREATE, after=policy_state(policy))
    return policy


@transaction.atomic
def update_policy(policy: EscalationPolicy, *, by, **changes) -> EscalationPolicy:
    """Change name, description, scope (agreement_id, target_id) or steps; ``steps``
    replaces the whole list."""
    unknown = sorted(set(changes) - {"name", "description", "steps", "agreement_id",
                                     "target_id"})
    if unknown:
        raise InvalidInput(f"{unknown[0]} cannot be changed", field=unknown[0])
    policy = EscalationPolicy.objects.select_for_update().get(pk=policy.pk)  # fresh, no caches
    before = policy_state(policy)
    _check_policy_permission(by, policy.agreement_id, policy.target_id)
    if "name" in changes:
        policy.name = _clean_name(changes["name"], EscalationPolicy, exclude_pk=policy.pk)
    if "agreement_id" in changes or "target_id" in changes:
        # Either key restates the whole scope: {"agreement_id": 3} drops a target.
        policy.agreement_id, policy.target_id = clean_scope(
            changes.get("agreement_id"), changes.get("target_id"), exclude_pk=policy.pk
        )
        _check_policy_permission(by, policy.agreement_id, policy.target_id)
    steps = _clean_steps(changes["steps"]) if changes.get("steps") is not None else None
    if changes.get("description") is not None:
        policy.description = changes["description"]
    policy.save()
    if steps is not None:
        _write_steps(policy, steps)
    record_change(by, policy, AuditAction.UPDATE, before=before, after=policy_state(policy))
    return policy


@transaction.atomic
def delete_policy(policy: EscalationPolicy, *, by) -> None:
    _check_policy_permission(by, policy.agreement_id, policy.target_id)
    record_change(by, policy, AuditAction.DELETE, before=policy_state(policy), after={})
    policy.delete()
