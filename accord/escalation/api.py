from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from accord.accounts.auth import require
from accord.lib.errors import Forbidden, InvalidInput

from . import queries, services
from .schemas import (
    ChannelIn,
    ChannelOut,
    ChannelPatch,
    DecisionIn,
    EscalationOut,
    NotificationDetail,
    NotificationOut,
    PolicyIn,
    PolicyOut,
    PolicyPatch,
    PredictionOut,
)

router = Router(tags=["escalation"])


def _viewer(request):
    user = require(request, "view")
    if user.is_portal:
        raise Forbidden("escalation data is internal")
    return user


def _require_any(request, *permissions):
    """The user, if they hold one of ``permissions``; the first one's Forbidden otherwise."""
    for permission in permissions[1:]:
        if request.user.can(permission):
            return require(request, permission)
    return require(request, permissions[0])


# Notifications (the outbox) --------------------------------------------------------------


@router.get("/notifications", response=list[NotificationOut])
@paginate
def list_notifications(request, status: str | None = None, channel_id: int | None = None):
    """The outbox, newest first; ``status=dead`` lists the dead letters."""
    return queries.notifications(_viewer(request), status, channel_id)


@router.get("/notifications/{notification_id}", response=NotificationDetail)
def get_notification(request, notification_id: int):
    user = _viewer(request)
    return get_object_or_404(queries.notifications(user), pk=notification_id)


@router.post("/notifications/{notification_id}/retry", response=NotificationOut)
def retry_notification(request, notification_id: int):
    """Put a dead letter back in the outbox (service level managers and administrators)."""
    user = _viewer(request)
    notification = get_object_or_404(queries.notifications(user), pk=notification_id)
    by = _require_any(request, "change_policy", "run_reviews")
    return services.retry_dead(notification, by=by, now=timezone.now())


# Channels --------------------------------------------------------------------------------


@router.get("/channels", response=list[ChannelOut])
@paginate
def list_channels(request, kind: str | None = None):
    channels = queries.channels(_viewer(request))
    return channels.filter(kind=kind) if kind else channels


@router.post("/channels", response={201: ChannelOut})
def create_channel(request, payload: ChannelIn):
    by = require(request, "change_policy")
    return Status(201, services.create_channel(by=by, now=timezone.now(), **payload.dict()))


@router.get("/channels/{channel_id}", response=ChannelOut)
def get_channel(request, channel_id: int):
    return get_object_or_404(queries.channels(_viewer(request)), pk=channel_id)


@router.patch("/channels/{channel_id}", response=ChannelOut)
def update_channel(request, channel_id: int, payload: ChannelPatch):
    channel = get_object_or_404(queries.channels(_viewer(request)), pk=channel_id)
    by = require(request, "change_policy")
    return services.update_channel(channel, by=by, **payload.dict(exclude_unset=True))


@router.delete("/channels/{channel_id}", response={204: None})
def delete_channel(request, channel_id: int):
    channel = get_object_or_404(queries.channels(_viewer(request)), pk=channel_id)
    services.delete_channel(channel, by=require(request, "change_policy"))
    return Status(204, None)


@router.post("/channels/{channel_id}/test", response=NotificationDetail)
def test_channel(request, channel_id: int):
    """Send a test message now, once (never retried); the answer shows how it went."""
    channel = get_object_or_404(queries.channels(_viewer(request)), pk=channel_id)
    by = require(request, "change_policy")
    return services.send_test(channel, by=by, now=timezone.now())


# Escalation policies ---------------------------------------------------------------------


@router.get("/escalation-policies", response=list[PolicyOut])
@paginate
def list_policies(request, agreement_id: int | None = None):
    return queries.policies(_viewer(request), agreement_id)


@router.post("/escalation-policies", response={201: PolicyOut})
def create_policy(request, payload: PolicyIn):
    by = require(request, "change_agreement")
    data = payload.dict()
    return Status(201, services.create_policy(by=by, now=timezone.now(), **data))


@router.get("/escalation-policies/{policy_id}", response=PolicyOut)
def get_policy(request, policy_id: int):
    return get_object_or_404(queries.policies(_viewer(request)), pk=policy_id)


@router.patch("/escalation-policies/{policy_id}", response=PolicyOut)
def update_policy(request, policy_id: int, payload: PolicyPatch):
    policy = get_object_or_404(queries.policies(_viewer(request)), pk=policy_id)
    by = require(request, "change_agreement")
    return services.update_policy(policy, by=by, **payload.dict(exclude_unset=True))


@router.delete("/escalation-policies/{policy_id}", response={204: None})
def delete_policy(request, policy_id: int):
    policy = get_object_or_404(queries.policies(_viewer(request)), pk=policy_id)
    services.delete_policy(policy, by=require(request, "change_agreement"))
    return Status(204, None)


# Escalation records ----------------------------------------------------------------------


@router.get("/escalations", response=list[EscalationOut])
@paginate
def list_escalations(request, level: str | None = None, open: bool = False,
                     clock_ref: str | None = None):
    """Fired escalation steps, newest first; ``open=true``: no decision recorded yet."""
    return queries.escalations(_viewer(request), level, open, clock_ref)


@router.get("/escalations/{escalation_id}", response=EscalationOut)
def get_escalation(request, escalation_id: int):
    return get_object_or_404(queries.escalations(_viewer(request)), pk=escalation_id)


@router.post("/escalations/{escalation_id}/acknowledge", response=EscalationOut)
def acknowledge(request, escalation_id: int):
    escalation = get_object_or_404(queries.escalations(_viewer(request)), pk=escalation_id)
    by = require(request, "change_own_service")
    return services.acknowledge(escalation, by=by, now=timezone.now())


@router.post("/escalations/{escalation_id}/decision", response=EscalationOut)
def record_decision(request, escalation_id: int, payload: DecisionIn):
    """Record who owns recovery and the action taken (service owners and above)."""
    escalation = get_object_or_404(queries.escalations(_viewer(request)), pk=escalation_id)
    by = require(request, "change_own_service")
    return services.record_decision(escalation, by=by, now=timezone.now(), **payload.dict())


# Breach prediction ----------------------------------------------------------------------


@router.get("/predictions/{clock_id}", response=PredictionOut)
def get_prediction(request, clock_id: int, at: datetime | None = None):
    """A clock's breach probability from the history of similar tickets, now or ``at``
    (ISO 8601 with offset: a running clock is projected to that instant)."""
    user = _viewer(request)
    if at is not None and at.utcoffset() is None:
        raise InvalidInput(f"at must have a UTC offset, got {at.isoformat()}", field="at")
    found = queries.prediction(user, clock_id, at or timezone.now())
    if found is None:
        raise Http404("no such clock")
    return found


@router.get("/at-risk", response=list[PredictionOut])
@paginate
def list_at_risk(request):
    """Running clocks likely to breach (probability >= ACCORD_AT_RISK_PROBABILITY)."""
    return queries.at_risk(_viewer(request), timezone.now())
