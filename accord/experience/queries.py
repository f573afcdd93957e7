"""Who sees which feedback, and feedback as JSON."""

from accord.accounts.choices import Role

from .models import Feedback


def visible_to(user):
    """Every feedback record for staff; a customer portal user only their customer's; a
    supplier portal user only that of tickets their supplier holds."""
    rows = Feedback.objects.select_related("ticket", "service", "customer")
    if not user.is_portal:
        return rows
    if user.role == Role.CUSTOMER:
        return rows.filter(customer__contacts=user)
    return rows.filter(ticket__supplier__contacts=user)


def may_see_respondent(user, feedback: Feedback) -> bool:
    """Staff, and portal users of the feedback's own customer."""
    if not user.is_portal:
        return True
    return (user.role == Role.CUSTOMER and feedback.customer_id is not None
            and feedback.customer.contacts.filter(pk=user.pk).exists())


def as_json(feedback: Feedback, user) -> dict:
    return {
        "source": feedback.source, "id": feedback.feedback_id,
        "ticket_id": feedback.ticket_ref or None, "ticket_source": feedback.ticket_source or None,
        "service": feedback.service.name if feedback.service_id else None,
        "customer": feedback.customer.name if feedback.customer_id else None,
        "timestamp": feedback.at.isoformat(), "kind": feedback.kind, "score": feedback.score,
        "scale": feedback.scale, "text": feedback.text,
        "respondent": (feedback.respondent or None) if may_see_respondent(user, feedback)
        else None,
        "channel": feedback.channel or None,
        "agreements": [a.reference for a in feedback.agreements.all()],
        "pk": feedback.pk,
    }


def ticket_feedback(ticket):
    """The feedback on one ticket, newest first (the ticket page shows its scores)."""
    return Feedback.objects.filter(ticket=ticket).order_by("-at", "-id")
