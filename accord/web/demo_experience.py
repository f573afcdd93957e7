"""EcoShop's experience data: CSAT answers on resolved Retail UK tickets (Order Processing's
are poor: resolved in time, but the stores had to chase), a few NPS answers, and complaints
and compliments entered by hand. Deterministic and relative to ``now``. With the Retail UK
SLA's experience target (CSAT average at least 4), last month's report shows the
watermelon: every SLA objective met, satisfaction missed."""

import random
from datetime import datetime, timedelta
from itertools import groupby

from accord.accounts.services import audit_time
from accord.agreements.models import Agreement
from accord.catalogue.models import Service
from accord.experience import services as experience
from accord.measurement.models import Ticket

SEED = 303  # zammad#303: "native satisfaction surveys"
COMMENTS = {
    1: ["Closed without asking me if it worked", "Third time I report this"],
    2: ["Fixed, but I had to chase twice", "Nobody told me what was going on"],
    3: ["OK in the end", "Took a while"],
    4: ["Quick, thanks", ""],
    5: ["Brilliant, fixed while I was on the phone", ""],
}
# Chances of scores 1-5 per service: Order Processing's users are unhappy.
WEIGHTS = {"Order Processing": (2, 3, 3, 2, 1), "Web Shop": (1, 2, 3, 3, 2)}
DEFAULT_WEIGHTS = (0, 1, 2, 5, 4)


def feedback_items(now: datetime) -> list[dict]:
    rng = random.Random(SEED)
    items = []
    tickets = (Ticket.objects.filter(customer__name="Retail UK", resolved_at__isnull=False,
                                     resolved_at__lte=now)
               .select_related("service").order_by("resolved_at", "pk"))
    for ticket in tickets:
        if rng.random() > 0.6:  # not everyone answers
            continue
        weights = WEIGHTS.get(ticket.service.name if ticket.service else "", DEFAULT_WEIGHTS)
        score = rng.choices((1, 2, 3, 4, 5), weights=weights)[0]
        answered = min(now, ticket.resolved_at + timedelta(hours=rng.uniform(1, 30)))
        items.append({"source": "ecoshop-survey", "id": f"csat-{ticket.ticket_id}",
                      "ticket_id": ticket.ticket_id, "ticket_source": ticket.source,
                      "timestamp": answered.isoformat(), "kind": "csat", "score": score,
                      "text": rng.choice(COMMENTS[score]), "channel": "survey link",
                      "respondent": f"user{rng.randint(1, 40)}@retail-uk.example"})
    for n in range(12):
        items.append({"source": "ecoshop-nps", "id": f"nps-{n}", "kind": "nps",
                      "customer": "Retail UK", "service": "Web Shop",
                      "timestamp": (now - timedelta(days=2 * n + 1)).isoformat(),
                      "score": rng.choice((3, 5, 6, 7, 8, 9, 10)), "channel": "email"})
    return items


def weekly_batches(items: list[dict], now: datetime) -> list[list[dict]]:
    """The items as the survey tool's weekly exports: the weeks that end at ``now``, oldest
    first."""
    week = lambda item: (now - datetime.fromisoformat(item["timestamp"])) // timedelta(days=7)  # noqa: E731
    ordered = sorted(items, key=lambda item: (-week(item), item["timestamp"]))
    return [list(batch) for _, batch in groupby(ordered, key=week)]


def load(now: datetime, by) -> None:
    # Each weekly import is audited when it ran (its newest answer), not when the demo loads:
    # one row a week, so the dashboard's recent changes are not a flood of feedback.
    for batch in weekly_batches(feedback_items(now), now):
        imported = max(datetime.fromisoformat(item["timestamp"]) for item in batch)
        with audit_time(imported):
            result = experience.ingest_feedback(batch, now=imported, user=by)
        if result["rejected"]:
            bad = next(r for r in result["results"] if r["errors"])
            raise ValueError(f"demo feedback: {result['rejected']} rejected, "
                             f"e.g. {bad['errors']}")
    web = Agreement.objects.get(name="Web Shop availability — Retail UK")
    retail = Agreement.objects.get(name="Retail UK SLA")
    for days, kind, service, sla, text in (
            (33, "complaint", "Order Processing", retail,
             "Store manager: orders stuck in 'paid' again; the ticket was closed before anyone "
             "checked with us"),
            (38, "complaint", "Order Processing", retail,
             "Escalated by Retail UK: dispatch labels 'resolved' three times"),
            (9, "complaint", "Web Shop", web, "Promo code issue marked resolved, still broken"),
            (6, "compliment", "Web Shop", web,
             "Thanks to the ops team for the Saturday checkout rescue")):
        entered = now - timedelta(days=days)  # entered by hand the day it came in
        experience.enter_by_hand(by=by, now=entered, kind=kind, agreement=sla,
                                 service=Service.objects.get(name=service), text=text,
                                 at=entered)
