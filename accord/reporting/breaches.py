"""Breaches of a period and who held the breached time: the two lists of the service report
that the compliance figures do not carry. Read-only; aggregated in the database.

A clock counts as a breach of a period when it breached inside it: at ``breached_at``, or, for
a running clock whose stored row is older than its due instant, at ``due_at`` (figures are as
of ``now``, never as of the last write). Cancelled clocks never count.
"""

from datetime import datetime

from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accord.escalation.models import Escalation
from accord.measurement.choices import ClockState
from accord.measurement.models import Clock

ROLE_WORDS = {"team": "internal team (OLA)", "supplier": "supplier (UC)",
              "unassigned": "nobody assigned"}


def breached_clocks(agreement_ids, start: datetime, end: datetime, now: datetime):
    """Clocks of ``agreement_ids`` that breached in [start, end), as of ``now``."""
    # A stale running row breached at its due instant, if that has passed by ``now``.
    due_by = {"due_at__lt": end} if end <= now else {"due_at__lte": now}
    return Clock.objects.filter(agreement_id__in=agreement_ids).exclude(
        state=ClockState.CANCELLED).filter(
        Q(breached_at__gte=start, breached_at__lt=end)
        | Q(state=ClockState.RUNNING, breached_at__isnull=True, due_at__gte=start, **due_by)
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


def attribution(agreement_ids, start: datetime, end: datetime, now: datetime) -> list[dict]:
    """Business time each team and supplier held on the period's breached clocks, most
    first: a GROUP BY over the clocks' ``attribution`` objects in the database."""
    ids_sql, params = breached_clocks(agreement_ids, start, end, now).values(
        "pk").query.sql_with_params()
    table = Clock._meta.db_table
    if connection.vendor == "postgresql":
        sql = (f"SELECT e.key, SUM((e.value #>> '{{}}')::float) FROM {table} c "
               f"CROSS JOIN LATERAL json_each(c.attribution::json) e "
               f"WHERE c.id IN ({ids_sql}) GROUP BY e.key")
    else:
        sql = (f"SELECT e.key, SUM(e.value) FROM {table} c, json_each(c.attribution) e "
               f"WHERE c.id IN ({ids_sql}) GROUP BY e.key")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        totals = cursor.fetchall()
    rows = []
    for holder, seconds in totals:
        role, _, name = str(holder).partition(" ")
        if role not in ROLE_WORDS or (role != "unassigned" and not name):
            role, name = "unassigned", str(holder)
        rows.append({"party": name if role != "unassigned" else "nobody assigned",
                     "role": role, "role_words": ROLE_WORDS[role],
                     "seconds": float(seconds or 0)})
    return sorted(rows, key=lambda r: (-r["seconds"], r["party"]))
