from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from accord.lib.schemas import Id, In, Int

from .choices import ChannelKind, Level, ThresholdKind

Kind = Literal[tuple(ChannelKind.values)]  # type: ignore[valid-type]


class ChannelIn(In):
    name: str = Field(min_length=1, max_length=100)
    kind: Kind
    config: dict = Field(default_factory=dict)
    enabled: bool = True


class ChannelPatch(In):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    kind: Kind | None = None
    config: dict | None = None
    enabled: bool | None = None


class ChannelOut(Schema):
    id: int
    name: str
    kind: str
    config: dict = Field(description="Secrets and chat tokens are not shown.")
    enabled: bool
    last_error: str
    created_at: datetime

    @staticmethod
    def resolve_config(obj):
        return obj.public_config


class StepIn(In):
    threshold_kind: Literal[tuple(ThresholdKind.values)] = ThresholdKind.PERCENT_USED  # type: ignore[valid-type]
    threshold: Int
    level: Literal[tuple(Level.values)] = Level.L1  # type: ignore[valid-type]
    recipients: list[str] = Field(
        default_factory=list,
        description="user:<username>, role:<role>, service_owner, team, customer_contact, "
                    "leadership",
    )
    channel_ids: list[Id] = Field(default_factory=list)
    requires_ack: bool = False


class StepOut(StepIn):
    id: int

    @staticmethod
    def resolve_channel_ids(obj):
        return sorted(c.pk for c in obj.channels.all())


class PolicyIn(In):
    name: str = Field(min_length=1, max_length=150)
    description: str = ""
    agreement_id: Id | None = Field(default=None, description="Empty: all agreements.")
    target_id: Id | None = Field(default=None, description="Overrides the agreement's.")
    steps: list[StepIn] = Field(default_factory=list)


class PolicyPatch(In):
    name: str | None = Field(default=None, min_length=1, max_length=150)
    description: str | None = None
    agreement_id: Id | None = Field(default=None, description="With target_id: the scope.")
    target_id: Id | None = None
    steps: list[StepIn] | None = Field(default=None, description="Replaces all steps.")


class PolicyOut(Schema):
    id: int
    name: str
    description: str
    scope: str = Field(description="target, agreement or default")
    agreement_id: int | None
    target_id: int | None
    steps: list[StepOut]
    created_at: datetime

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class AttemptOut(Schema):
    number: int
    worker: str
    started_at: datetime
    finished_at: datetime | None
    ok: bool | None
    status_code: int | None
    error: str


class NotificationOut(Schema):
    id: int
    idempotency_key: str
    channel_id: int
    channel: str
    escalation_id: int | None
    recipient: str
    subject: str
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    delivered_at: datetime | None

    @staticmethod
    def resolve_channel(obj):
        return obj.channel.name


class NotificationDetail(NotificationOut):
    body: str
    payload: dict
    deliveries: list[AttemptOut]

    @staticmethod
    def resolve_deliveries(obj):
        return list(obj.deliveries.all())


class EscalationOut(Schema):
    id: int
    key: str
    level: str
    policy_id: int | None
    step_id: int | None
    clock_ref: str
    ticket_ref: str
    subject: str
    at: datetime
    recipients: list
    requires_ack: bool
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    recovery_owner_id: int | None
    action_taken: str
    clock_id: int | None
    follow_up: dict | None
    decided_by: str | None
    decided_at: datetime | None

    @staticmethod
    def resolve_acknowledged_by(obj):
        return obj.acknowledged_by.username if obj.acknowledged_by else None

    @staticmethod
    def resolve_decided_by(obj):
        return obj.decided_by.username if obj.decided_by else None


class DecisionIn(In):
    recovery_owner_id: Id
    action_taken: str = Field(min_length=1)


class PredictionOut(Schema):
    clock_id: int
    ticket: str
    target_id: int
    state: str
    percent: float = Field(description="Percent of the target used now.")
    probability: float | None = Field(description="None: too little similar history.")
    sample_size: int = Field(description="Completed similar clocks that ran past `percent`.")
    breached: int
    cohort: str | None = Field(description="target, service_priority, or None")
    at_risk: bool
    level: float = Field(description="ACCORD_AT_RISK_PROBABILITY")
