"""API schemas of the reporting endpoints (the compliance JSON itself is built by
``compliance.compliance_report``; these schemas document it and let every key through)."""

from ninja import Schema
from pydantic import ConfigDict


class Open(Schema):
    model_config = ConfigDict(extra="allow")


class PeriodOut(Open):
    start: str
    end: str
    time_zone: str


class TargetRowOut(Open):
    target: int
    version: int
    name: str
    metric: str
    service: str | None
    priority: str | None
    key: dict
    objective_percent: float | None
    met: int
    breached: int
    excluded: int
    open: int
    ended: int
    compliance_percent: float | None
    compliance_percent_raw: float | None
    objective_met: bool | None
    shortfall: int
    credit_due: str | None


class AvailabilityRowOut(Open):
    target: int
    service: str
    target_percent: float
    measured_percent: float | None
    downtime_minutes: float
    outages: int
    met: bool | None
    credit_due: str | None


class ComplianceOut(Open):
    agreement: str
    versions: list[int]
    period: PeriodOut
    targets: list[TargetRowOut]
    availability: list[AvailabilityRowOut]
    kpis: dict
    credits_total: str | None
    credits_uncapped: str | None
    currency: str | None


class KpisOut(Open):
    period: PeriodOut
    customer: str | None
    agreements: list[str]
    kpis: dict
