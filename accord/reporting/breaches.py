"""The breaches of a period, one row each, for the service report's breach list (the
compliance figures count them; this lists them). Read-only.

A clock counts as a breach of a period when it breached inside it: at ``breached_at``, or, for
a running clock whose stored row is older than its due instant, at ``due_at`` (figures are as
of ``now``, never as of the last write). Cancelled clocks never count.
"""

from datetime import datetime

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accord.escalation.models import Escalation
from accord.measurement.choices import ClockState
from accord.measurement.models import Clock


def breached_clocks(agreement_ids, start: datetime, end: datetime, now: datetime):
    """Clocks of ``agreement_ids`` that breached in [start, end), as of ``now``: the
    aggregation's rule (``aggregate.outcome_of``) as a query."""
    return Clock.objects.filter(agreement_id__in=agreement_ids).filter(
        Q(state=ClockState.BREACHED, breached_at__gte=start, breached_at__lt=end)
        | Q(state=ClockState.RUNNING, due_at__gte=start, due_at__lt=end, due_at__lte=now,
            computed_at__lt=F("due_at"))
    )


def breach_rows(agreement_ids, start: datetime, end: datetime, now: datetime,
                limit: int | None = None) -> list[dict]:
    """One row per breach, oldest first: ticket, target, priority, when, business time over
    the target, the highest escalation level reached and the latest recorded decision."""
    escalations = Escalation.objects.filter(clock=OuterRef("pk"))
    decided = escalations.exclude(action_taken="").order_by("-decided_at", "-pk")
    clocks = breached_clocks(agreement_ids, start, end, now).annotate(
        at=Coalesce("breached_at", "due_at"),
        level=Subquery(escalations.order_by("-level").values("level")[:1]),
        decision=Subquery(decided.values("action_taken")[:1]),
        decided_by_name=Subquery(decided.values("decided_by__username")[:1]),
        over=F("elapsed_seconds") - F("target_seconds"),
    ).order_by("at", "pk").values(
        "at", "level", "decision", "decided_by_name", "over", "metric", "kind", "state",
        "ticket__ticket_id", "ticket__priority", "target__name", "target__priority",
        "target_id",
    )
    if limit is not None:
        clocks = clocks[:limit]
    return [{
        "ticket": row["ticket__ticket_id"],
        "target": row["target_id"],
        "target_name": row["target__name"] or row["metric"],
        "metric": row["metric"],
        "priority": row["target__priority"] or row["ticket__priority"],
        "breached_at": row["at"].isoformat(),
        # A stale running row has not been brought up to date: its stored time is not over.
        "over_seconds": row["over"] if row["over"] and row["over"] > 0 else None,
        "level": row["level"],
        "decision": row["decision"],
        "decided_by": row["decided_by_name"],
    } for row in clocks]
