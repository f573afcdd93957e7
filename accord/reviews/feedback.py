"""The customer feedback, complaints and compliments of a review's period. The review links
to them (experience's records are never touched): they are the feedback linked to the
review's agreement whose time falls in the period the review's figures cover."""

from django.db.models import Count

from accord.experience import queries as experience_queries
from accord.experience.choices import FeedbackKind
from accord.experience.xla import feedback_of

from .reviews import figures_period

# Shown in this order: what the customer said in words first.
KINDS = (FeedbackKind.COMPLAINT, FeedbackKind.COMPLIMENT, FeedbackKind.CSAT, FeedbackKind.CES,
         FeedbackKind.NPS, FeedbackKind.COMMENT)
NOUNS = {FeedbackKind.COMPLAINT: ("complaint", "complaints"),
         FeedbackKind.COMPLIMENT: ("compliment", "compliments"),
         FeedbackKind.CSAT: ("satisfaction score", "satisfaction scores"),
         FeedbackKind.CES: ("effort score", "effort scores"),
         FeedbackKind.NPS: ("NPS answer", "NPS answers"),
         FeedbackKind.COMMENT: ("comment", "comments")}
LIMIT = 200


def review_feedback(review, now, user=None) -> dict:
    """{"period", "counts": {kind: n, ...}, "total", "items": [Feedback, ...]}: the feedback
    of the period the review's figures cover (frozen: the frozen period), newest first; with
    ``user``, only what that user may see."""
    period = figures_period(review, review.figures_at or now)
    found = feedback_of([review.agreement_id], period.start_utc, period.end_utc)
    if user is not None:
        found = found.filter(pk__in=experience_queries.visible_to(user).values("pk"))
    found = found.select_related("service", "ticket").order_by("-at", "-id")
    items = list(found[:LIMIT])
    counts = dict.fromkeys(KINDS, 0)
    for kind, n in _counts(found):
        counts[kind] = n
    return {"period": period.label, "counts": counts, "total": sum(counts.values()),
            "items": items, "count_words": [
                (kind, f"{n} {NOUNS[kind][n != 1]}") for kind, n in counts.items() if n]}


def _counts(found):
    return found.order_by().values_list("kind").annotate(n=Count("id"))


def as_json(feedback) -> dict:
    return {"id": feedback.pk, "kind": feedback.kind, "at": feedback.at.isoformat(),
            "score": feedback.score, "scale": feedback.scale, "text": feedback.text,
            "service": feedback.service.name if feedback.service_id else None,
            "ticket_id": feedback.ticket_ref or None}
