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
    review: int | None = None
    plan: int | None = None
    risk: int | None = None
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
    documents: list[int] = []


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
    review: int | None = Field(None, alias="review_id")
    plan: int | None = Field(None, alias="plan_id")
    risk: int | None = Field(None, alias="risk_id")
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


class ReviewIn(Schema):
    agreement: str | int
    kind: str = "performance"
    period: str
    due: date


class ReviewPatch(Schema):
    held_on: date | None = None
    attendees: list | None = None
    minutes: str | None = None
    due: date | None = None


class DecisionRecordIn(Schema):
    who: str
    what: str
    when: date | None = None
    corrects: int | None = None


class VerdictIn(Schema):
    target: int
    verdict: str
    objective_percent: float | None = None
    duration_seconds: int | None = None
    note: str = ""


class DecisionOut(Schema):
    id: int
    who: str
    what: str
    when: date = Field(..., alias="decided_on")
    corrects: int | None = Field(None, alias="corrects_id")
    recorded_by: str | None = Field(None, alias="recorded_by.username")
    recorded_at: datetime


class VerdictOut(Schema):
    id: int
    target: int = Field(..., alias="target_id")
    verdict: str
    objective_percent: float | None
    duration_seconds: int | None
    note: str
    draft_version: int | None = Field(None, alias="draft.number")
    recorded_at: datetime


class ReviewOut(Schema):
    id: int
    agreement: str
    agreement_id: int
    kind: str
    period: str
    due: date
    status: str
    overdue: bool
    held_on: date | None
    attendees: list
    minutes: str
    figures_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_agreement(obj):
        return obj.agreement.reference

    @staticmethod
    def resolve_overdue(obj):
        return not obj.is_closed and obj.due < timezone.now().date()


class ReviewDetail(ReviewOut):
    figures: dict | None
    figures_differ: bool | None
    decisions: list[DecisionOut]
    verdicts: list[VerdictOut]
    actions: list[ActionOut]
    feedback: dict

    @staticmethod
    def resolve_feedback(obj, context):
        """The period's customer feedback, complaints and compliments (what the asker may
        see): counts per kind and the items, newest first."""
        from .feedback import as_json, review_feedback

        found = review_feedback(obj, timezone.now(), context["request"].user)
        return {"period": found["period"], "counts": found["counts"],
                "total": found["total"], "items": [as_json(f) for f in found["items"]]}

    @staticmethod
    def resolve_figures_differ(obj):
        from .reviews import figures_differ

        return figures_differ(obj, timezone.now())

    @staticmethod
    def resolve_decisions(obj):
        return list(obj.decisions.select_related("recorded_by"))

    @staticmethod
    def resolve_verdicts(obj):
        return list(obj.verdicts.select_related("draft"))

    @staticmethod
    def resolve_actions(obj):
        return list(obj.actions.select_related("owner", "agreement", "service"))
