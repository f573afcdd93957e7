"""API shapes of plans, risks, breach investigations and documents."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from ninja import Field, Schema


class PlanIn(Schema):
    title: str
    shortfall: str
    agreement: str | int
    service: str | int | None = None
    customer_facing: bool = False
    targets: list[int] = []
    breaches: list[int] = []
    milestones: list = []
    owner: str | int | None = None


class PlanPatch(Schema):
    title: str | None = None
    shortfall: str | None = None
    customer_facing: bool | None = None
    targets: list[int] | None = None
    breaches: list[int] | None = None
    milestones: list | None = None
    status: str | None = None


class PlanOut(Schema):
    id: int
    title: str
    shortfall: str
    agreement: str
    agreement_id: int
    service: str | None = Field(None, alias="service.name")
    customer_facing: bool
    targets: list[int]
    breaches: list[int]
    milestones: list
    owner: str | None = Field(None, alias="owner.username")
    status: str
    approved_by: str | None = Field(None, alias="approved_by.username")
    approved_at: datetime | None
    started_at: datetime | None
    progress: float | None
    actions: list[int]
    risks: list[int]

    @staticmethod
    def resolve_agreement(obj):
        return obj.agreement.reference

    @staticmethod
    def resolve_targets(obj):
        return sorted(t.pk for t in obj.targets.all())

    @staticmethod
    def resolve_breaches(obj):
        return sorted(c.pk for c in obj.breaches.all())

    @staticmethod
    def resolve_progress(obj):
        from .plans import progress

        return progress(obj)

    @staticmethod
    def resolve_actions(obj):
        return sorted(a.pk for a in obj.actions.all())

    @staticmethod
    def resolve_risks(obj):
        return sorted(r.pk for r in obj.risks.all())


class PlanDetail(PlanOut):
    effect: list

    @staticmethod
    def resolve_effect(obj):
        from .plans import effect

        return effect(obj, timezone.now())


class RiskIn(Schema):
    title: str
    description: str = ""
    service: str | int | None = None
    agreement: str | int | None = None
    plan: int | None = None
    likelihood: int
    impact: int
    owner: str | int | None = None
    status: str = "open"
    review_date: date | None = None


class RiskPatch(Schema):
    title: str | None = None
    description: str | None = None
    likelihood: int | None = None
    impact: int | None = None
    owner: str | int | None = None
    status: str | None = None
    review_date: date | None = None


class RiskOut(Schema):
    id: int
    title: str
    description: str
    service: str | None = Field(None, alias="service.name")
    agreement: str | None
    plan: int | None = Field(None, alias="plan_id")
    likelihood: int
    impact: int
    score: int
    owner: str | None = Field(None, alias="owner.username")
    status: str
    review_date: date | None
    actions: list[int]

    @staticmethod
    def resolve_agreement(obj):
        return obj.agreement.reference if obj.agreement_id else None

    @staticmethod
    def resolve_actions(obj):
        return sorted(a.pk for a in obj.actions.all())


class InvestigationIn(Schema):
    reason: str | None = None
    root_cause: str | None = None
    party: str | None = None
    problems: list[str | int] | None = None


class InvestigationOut(Schema):
    clock: int = Field(..., alias="clock_id")
    reason: str | None = Field(None, alias="reason.code")
    root_cause: str
    suggested_party: str
    party: str
    confirmed_by: str | None = Field(None, alias="confirmed_by.username")
    confirmed_at: datetime | None
    problems: list[str]

    @staticmethod
    def resolve_problems(obj):
        return [t.ticket_id for t in obj.problems.all()] if obj.pk else []


class ObjectiveInvestigationOut(Schema):
    agreement: str = Field(..., alias="agreement.reference")
    key: dict
    period_kind: str
    period_start: datetime
    period_end: datetime
    reason: str | None = Field(None, alias="reason.code")
    root_cause: str
    suggested_party: str
    party: str
    confirmed_by: str | None = Field(None, alias="confirmed_by.username")
    confirmed_at: datetime | None
    problems: list[str]
    updated_at: datetime | None

    @staticmethod
    def resolve_problems(obj):
        return [t.ticket_id for t in obj.problems.all()] if obj.pk else []

    # The period as the compliance report's ``period``: in the reporting zone.
    @staticmethod
    def resolve_period_start(obj):
        return obj.period_start.astimezone(ZoneInfo(obj.agreement.reporting_zone))

    @staticmethod
    def resolve_period_end(obj):
        return obj.period_end.astimezone(ZoneInfo(obj.agreement.reporting_zone))


class ReasonCodeIn(Schema):
    code: str
    label: str
    active: bool = True


class ReasonCodeOut(Schema):
    code: str
    label: str
    active: bool


class DocumentVersionOut(Schema):
    number: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str | None = Field(None, alias="uploaded_by.username")
    uploaded_at: datetime


class DocumentOut(Schema):
    id: int
    title: str
    kind: str
    agreement: int | None = Field(None, alias="agreement_id")
    review: int | None = Field(None, alias="review_id")
    action: int | None = Field(None, alias="action_id")
    plan: int | None = Field(None, alias="plan_id")
    created_at: datetime
    versions: list[DocumentVersionOut]

    @staticmethod
    def resolve_versions(obj):
        return list(obj.versions.all())


class DocumentPatch(Schema):
    title: str | None = None
    kind: str | None = None
