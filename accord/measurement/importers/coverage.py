"""Which imported tickets no target covers, and what to do about it.

A log imported where no agreement's target applies gives tickets and no clock, silently.
The import summary says how many tickets of the sources it read have no clock, grouped by
service, customer and priority (the scope a target matches on), with the dates they were
opened, and what to do. Counted by the database (aggregates over an anti-join on clocks),
not by reading the tickets.
"""

from django.db.models import Count, Exists, Max, Min, OuterRef

from ..clock_models import Clock
from ..models import Ticket

MAX_GROUPS = 10


def uncovered(sources, *, max_groups: int = MAX_GROUPS) -> dict | None:
    """The tickets of ``sources`` without any clock, summed up; None when there are none."""
    tickets = Ticket.objects.filter(source__in=sorted(sources))
    bare = tickets.filter(~Exists(Clock.objects.filter(ticket=OuterRef("pk"))))
    totals = bare.aggregate(tickets=Count("id"), first=Min("opened_at"), last=Max("opened_at"))
    if not totals["tickets"]:
        return None
    scope = bare.values("service__name", "customer__name", "priority")
    groups = list(scope.annotate(tickets=Count("id"), first=Min("opened_at"),
                                 last=Max("opened_at"))
                  .order_by("-tickets", "service__name", "customer__name", "priority")
                  [:max_groups])
    first = totals["first"]
    since = first.date().isoformat() if first else None
    return {
        "tickets": totals["tickets"],
        "of": tickets.count(),
        "sources": sorted(sources),
        "first_opened": _iso(first),
        "last_opened": _iso(totals["last"]),
        "groups": [{"service": g["service__name"], "customer": g["customer__name"],
                    "priority": g["priority"] or None, "tickets": g["tickets"],
                    "first_opened": _iso(g["first"]), "last_opened": _iso(g["last"])}
                   for g in groups],
        "more_groups": max(0, scope.distinct().count() - len(groups)),
        "advice": (
            "No agreement's target applies to these tickets, so they have no clock. To "
            "measure them, create an agreement in the app (Agreements, then New) whose "
            "targets cover these services, customers and priorities"
            + (f", effective from {since} (the first date of the log)" if since else "")
            + ", sign it, then start a recompute (from the agreement's page, or "
            "`accord recompute`)."),
    }


def _iso(value):
    return value.isoformat() if value else None
