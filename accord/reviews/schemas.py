"""API shapes of the governance layer (exclusions, actions)."""

from datetime import datetime

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
