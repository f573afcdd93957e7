"""Request and response shapes of the agreements API. Inputs refuse unknown fields."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field

from accord.lib.schemas import Id, Int, Number
from accord.lib.schemas import In as BodyIn

from . import queries
from .choices import (
    AgreementKind,
    AgreementStatus,
    CreditBasis,
    Feasibility,
    Metric,
    Party,
    Period,
    ReopenPolicy,
    Structure,
)

KindName = Literal[tuple(AgreementKind.values)]  # type: ignore[valid-type]
StructureName = Literal[("", *Structure.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(AgreementStatus.values)]  # type: ignore[valid-type]
MetricName = Literal[tuple(Metric.values)]  # type: ignore[valid-type]
PeriodName = Literal[tuple(Period.values)]  # type: ignore[valid-type]
ReopenName = Literal[tuple(ReopenPolicy.values)]  # type: ignore[valid-type]
CreditBasisName = Literal[tuple(CreditBasis.values)]  # type: ignore[valid-type]


class In(BodyIn):
    model_config = ConfigDict(extra="forbid")


def _now(context) -> datetime:
    return (context or {}).get("now") or timezone.now()


# Agreements


class AgreementIn(In):
    name: str
    kind: KindName
    structure: StructureName = ""
    description: str = ""
    customer: Id | None = None
    team: Id | None = None
    supplier: Id | None = None
    parent: Id | None = None
    services: list[Id] = []
    underpins: list[Id] = []
    calendar: Id | None = None
    owner: Id | None = None
    monthly_charge: Decimal | None = None
    currency: str = ""
    credit_cap_percent: Decimal | None = None
    reporting_time_zone: str = ""
    survey_on_resolve: bool = False
    auto_lifecycle: bool = True
    auto_review: bool = True
    # The first (draft) version.
    text: str = ""
    effective_from: AwareDatetime | None = None
    effective_to: AwareDatetime | None = None
    review_due: AwareDatetime | None = None


class AgreementPatch(In):
    name: str | None = None
    kind: KindName | None = None
    structure: StructureName | None = None
    description: str | None = None
    customer: Id | None = None
    team: Id | None = None
    supplier: Id | None = None
    parent: Id | None = None
    services: list[Id] | None = None
    underpins: list[Id] | None = None
    calendar: Id | None = None
    owner: Id | None = None
    monthly_charge: Decimal | None = None
    currency: str | None = None
    credit_cap_percent: Decimal | None = None
    reporting_time_zone: str | None = None
    survey_on_resolve: bool | None = None
    auto_lifecycle: bool | None = None
    auto_review: bool | None = None


class AgreementOut(Schema):
    id: int
    reference: str
    name: str
    kind: str
    structure: str
    status: str
    description: str
    customer: int | None = Field(None, validation_alias="customer_id")
    team: int | None = Field(None, validation_alias="team_id")
    supplier: int | None = Field(None, validation_alias="supplier_id")
    parent: int | None = Field(None, validation_alias="parent_id")
    calendar: int | None = Field(None, validation_alias="calendar_id")
    owner: int | None = Field(None, validation_alias="owner_id")
    services: list[int]
    underpins: list[int]
    monthly_charge: Decimal | None
    currency: str
    credit_cap_percent: Decimal | None
    reporting_time_zone: str
    survey_on_resolve: bool
    auto_lifecycle: bool
    auto_review: bool
    latest_version: int | None
    version_in_force: int | None
    review_due: datetime | None
    last_reviewed_at: datetime | None
    status_changed_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_services(obj):
        return [s.pk for s in obj.services.all()]

    @staticmethod
    def resolve_underpins(obj):
        return [a.pk for a in obj.underpins.all()]

    @staticmethod
    def resolve_latest_version(obj):
        return max((v.number for v in obj.versions.all()), default=None)

    @staticmethod
    def resolve_version_in_force(obj, context):
        version = obj.version_in_force(_now(context))
        return version.number if version else None

    @staticmethod
    def resolve_review_due(obj, context):
        return queries.next_review_due(obj, _now(context))


class TransitionIn(In):
    to: StatusName
    reason: str = ""


# Versions, approvals, targets


class VersionIn(In):
    text: str | None = None
    change_summary: str | None = None
    effective_from: AwareDatetime | None = None
    effective_to: AwareDatetime | None = None
    review_due: AwareDatetime | None = None


class ApprovalOut(Schema):
    id: int
    party: str
    signatory: str
    signatory_user: int | None = Field(None, validation_alias="signatory_user_id")
    recorded_by: str | None
    on_behalf: bool
    evidence: str
    comment: str
    at: datetime
    valid: bool
    invalidated_at: datetime | None
    invalidated_reason: str

    @staticmethod
    def resolve_recorded_by(obj):
        return obj.user.username if obj.user_id else None

    @staticmethod
    def resolve_valid(obj):
        return obj.is_valid


class VersionSummaryOut(Schema):
    number: int
    status: str
    change_summary: str
    effective_from: datetime | None
    effective_to: datetime | None
    review_due: datetime | None
    frozen_at: datetime | None
    created_at: datetime


class TargetIn(In):
    metric: MetricName
    name: str = ""
    service: Id | None = None
    ticket_type: str = ""
    priority: str = ""
    calendar: Id | None = None
    duration_seconds: Int | None = None
    percentage: Decimal | None = None
    objective_percent: Decimal | None = None
    period: PeriodName = "month"
    warning_thresholds: list[Int | Number] | None = None
    start_condition: dict | None = None
    pause_condition: dict | None = None
    stop_condition: dict | None = None
    reset_condition: dict | None = None
    cancel_condition: dict | None = None
    reopen_policy: ReopenName = "new_cycle"
    credit_amount: Decimal | None = None
    credit_currency: str = ""
    credit_percent: Decimal | None = None
    credit_basis: CreditBasisName = "per_missed_objective"
    measure: str = ""
    threshold: Decimal | None = None
    direction: str = ""
    min_responses: Int | None = None
    position: Int | None = None


class TargetPatch(In):
    metric: MetricName | None = None
    name: str | None = None
    service: Id | None = None
    ticket_type: str | None = None
    priority: str | None = None
    calendar: Id | None = None
    duration_seconds: Int | None = None
    percentage: Decimal | None = None
    objective_percent: Decimal | None = None
    period: PeriodName | None = None
    warning_thresholds: list[Int | Number] | None = None
    start_condition: dict | None = None
    pause_condition: dict | None = None
    stop_condition: dict | None = None
    reset_condition: dict | None = None
    cancel_condition: dict | None = None
    reopen_policy: ReopenName | None = None
    credit_amount: Decimal | None = None
    credit_currency: str | None = None
    credit_percent: Decimal | None = None
    credit_basis: CreditBasisName | None = None
    measure: str | None = None
    threshold: Decimal | None = None
    direction: str | None = None
    min_responses: Int | None = None
    position: Int | None = None


class TargetOut(Schema):
    id: int
    name: str
    metric: str
    service: int | None = Field(None, validation_alias="service_id")
    ticket_type: str
    priority: str
    calendar: int | None = Field(None, validation_alias="calendar_id")
    duration_seconds: int | None
    percentage: float | None
    objective_percent: float | None
    period: str
    warning_thresholds: list[int | float]
    start_condition: dict | None
    pause_condition: dict | None
    stop_condition: dict | None
    reset_condition: dict | None
    cancel_condition: dict | None
    reopen_policy: str
    credit_amount: Decimal | None
    credit_currency: str
    credit_percent: float | None
    credit_basis: str
    measure: str
    threshold: float | None
    direction: str
    min_responses: int | None
    position: int


class VersionOut(VersionSummaryOut):
    agreement: int = Field(validation_alias="agreement_id")
    text: str
    content_hash: str
    awaiting: list[str]
    approvals: list[ApprovalOut]
    targets: list[TargetOut]

    @staticmethod
    def resolve_approvals(obj):
        return list(obj.approvals.select_related("user"))

    @staticmethod
    def resolve_targets(obj):
        return list(obj.targets.all())

    @staticmethod
    def resolve_awaiting(obj):
        if obj.is_frozen:
            return []
        done = {a.party for a in obj.approvals.all() if a.is_valid}
        return [p for p in Party.values if p not in done]


class ApproveIn(In):
    party: Literal[tuple(Party.values)]  # type: ignore[valid-type]
    comment: str = ""
    on_behalf_of_contact: Id | None = Field(
        None, description="Recording the counterparty's signature on its behalf: the id of "
        "the contact (user) of the customer, team or supplier who signed; for a corporate "
        "SLA, a staff user other than the provider's signatory.")
    evidence: str = Field("", max_length=2000, description="Required on behalf: where the "
                          "signed copy is.")


class OverriddenOut(Schema):
    agreement: int
    version: int
    target: int


class EffectiveTargetOut(Schema):
    target: TargetOut
    agreement: int
    reference: str
    version: int
    inherited: bool
    overrides: list[OverriddenOut]
    calendar_name: str
    calendar_tz: str
    calendar_source: str


# SLRs


class SlrIn(In):
    title: str
    customer: Id
    service: Id | None = None
    text: str = ""
    requested_by: str = ""
    requested_targets: list[dict] = []


class SlrPatch(In):
    title: str | None = None
    customer: Id | None = None
    service: Id | None = None
    text: str | None = None
    requested_by: str | None = None
    requested_targets: list[dict] | None = None


class SlrOut(Schema):
    id: int
    reference: str
    title: str
    customer: int = Field(validation_alias="customer_id")
    service: int | None = Field(None, validation_alias="service_id")
    text: str
    requested_by: str
    requested_targets: list[dict]
    status: str
    feasibility: str
    evaluation_notes: str
    evaluated_by: str | None
    evaluated_at: datetime | None
    agreement: int | None
    version: int | None
    converted_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_reference(obj):
        return str(obj).split(" ", 1)[0]

    @staticmethod
    def resolve_evaluated_by(obj):
        return obj.evaluated_by.username if obj.evaluated_by_id else None

    @staticmethod
    def resolve_agreement(obj):
        return obj.version.agreement_id if obj.version_id else None

    @staticmethod
    def resolve_version(obj):
        return obj.version.number if obj.version_id else None


class EvaluateIn(In):
    feasibility: Literal[tuple(Feasibility.values)]  # type: ignore[valid-type]
    notes: str = ""
    decision: Literal["accept", "reject"] | None = None


class ConvertIn(In):
    agreement: Id | None = Field(None, description="Empty: create a new customer-based SLA.")
    name: str = ""


# Priority matrix


class CellIn(In):
    impact: str
    urgency: str
    priority: str


class CellOut(Schema):
    impact: str
    urgency: str
    priority: str


class PriorityMatrixIn(In):
    agreement: Id | None = None
    cells: list[CellIn]


class PriorityMatrixOut(Schema):
    agreement: int | None
    source: str
    cells: list[CellOut]
