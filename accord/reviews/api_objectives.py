"""Investigation of a missed objective: ``/objectives/investigation`` (GET, PUT) with
``agreement`` (SLA-0001 or an id), ``target`` (a target id of the agreement) and one of
``month`` (2025-03), ``quarter`` (2025-Q1) or ``year`` (2025), read in the agreement's
reporting zone as ``/reports/compliance`` reads them. Internal, like breach investigations:
portal users are refused. A period whose objective was met is refused (409) and nothing is
written."""

from django.utils import timezone
from ninja import Router

from accord.reporting.periods import period_from
from accord.reporting.queries import find_agreement

from . import objectives
from .api_breaches import _internal
from .schemas_more import InvestigationIn, ObjectiveInvestigationOut

router = Router(tags=["breach investigation"])


def _objective(user, agreement, target, month, quarter, year):
    found = find_agreement(agreement, user)  # agreement visible_to(user): another's is 404
    period = period_from(month, quarter, year, tz=found.reporting_zone)
    field = "month" if month else "quarter" if quarter else "year"
    return objectives.missed_objective(found, target, period, timezone.now(), field=field)


@router.get("/objectives/investigation", response=ObjectiveInvestigationOut)
def get_investigation(request, agreement: str, target: int, month: str | None = None,
                      quarter: str | None = None, year: str | None = None):
    """The investigation of a missed objective, or an empty one with the party suggested
    from who held most of the breached business time."""
    user = _internal(request)
    found = _objective(user, agreement, target, month, quarter, year)
    return found.investigation() or found.empty()


@router.put("/objectives/investigation", response=ObjectiveInvestigationOut)
def put_investigation(request, body: InvestigationIn, agreement: str, target: int,
                      month: str | None = None, quarter: str | None = None,
                      year: str | None = None):
    """Record the reason code, root cause, confirmed party (by you) and problem tickets of
    a missed objective."""
    user = _internal(request, "manage_actions")
    found = _objective(user, agreement, target, month, quarter, year)
    return objectives.record(found, by=user, values=body.dict(exclude_unset=True),
                             now=timezone.now())
