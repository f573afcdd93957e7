"""API shapes of the governance layer (exclusions, actions)."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Schema


class ExclusionIn(Schema):
    clock: int
    reason: str
    explanation: str
    evidence: str


class ExclusionPatch(Schema):
    reason: str | None = None
    explanation: str | None = None
    evidence: str | None = None


class DecisionIn(Schema):
    note: str = ""


class ExclusionOut(Schema):
    id: int
    clock: int = Field(..., alias="clock_id")
    agreement: int = Field(..., alias="clock.agreement_id")
    target: int = Field(..., alias="clock.target_id")
    reason: str
    explanation: str
    evidence: str
    status: str
    claimed_by: str = Field(..., alias="claimed_by.username")
    claimed_at: datetime
    decided_by: str | None = Field(None, alias="decided_by.username")
    decided_at: datetime | None
    decision_note: str


class ActionIn(Schema):
    title: str
    owner: str | int | None = None
    due: date | None = None
    description: str = ""
    agreement: str | int | None = None
    service: str | int | None = None
    clock: int | None = None
    depends_on: list[int] = []


class ActionPatch(Schema):
    title: str | None = None
    description: str | None = None
    owner: str | int | None = None
    due: date | None = None
    status: str | None = None
    progress: int | None = None
    risk_status: str | None = None
    depends_on: list[int] | None = None
    agreement: str | int | None = None
    service: str | int | None = None


class CloseIn(Schema):
    evidence: str


class ActionOut(Schema):
    id: int
    title: str
    description: str
    owner: str | None = Field(None, alias="owner.username")
    due: date
    status: str
    progress: int
    risk_status: str
    risk_status_set: str
    source: str
    agreement: str | None
    agreement_id: int | None
    service: str | None = Field(None, alias="service.name")
    service_id: int | None
    clock: int | None = Field(None, alias="clock_id")
    escalation: int | None = Field(None, alias="escalation_id")
    depends_on: list[int]
    evidence: str
    created_at: datetime
    closed_at: datetime | None
    closed_by: str | None = Field(None, alias="closed_by.username")

    @staticmethod
    def resolve_risk_status(obj, context):
        return obj.risk_status(context["today"]) if context and "today" in context \
            else obj.risk_status(timezone.now().date())

    @staticmethod
    def resolve_agreement(obj):
        return obj.agreement.reference if obj.agreement_id else None

    @staticmethod
    def resolve_depends_on(obj):
        return sorted(a.pk for a in obj.depends_on.all())
