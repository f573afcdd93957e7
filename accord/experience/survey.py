"""The survey link: when a ticket is resolved under an agreement with ``survey_on_resolve``,
the worker writes one e-mail to the outbox (key ``survey:TICKET:RESOLVED_AT``: one per
ticket and resolution) with a signed, expiring, single-use link to a one-question page.

The link carries the invitation and the ticket, signed with the site's secret key
(``django.core.signing``); a link for another ticket, a bad signature or an expired link is
refused, and once answered the page shows the answer and accepts no other.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from accord.agreements.choices import AgreementKind
from accord.agreements.models import Agreement
from accord.escalation.choices import ChannelKind
from accord.escalation.models import Channel
from accord.escalation.services.outbox import enqueue
from accord.lib.errors import DomainError, InvalidInput
from accord.measurement.choices import TicketStage
from accord.measurement.models import Ticket

from .choices import FeedbackKind, InviteState
from .models import SurveyInvite
from .services import agreements_for, store_one
from .validation import clean_feedback

SALT = "accord.experience.survey"
VALID_FOR = timedelta(days=14)
LOOKBACK = timedelta(days=7)  # resolutions older than this when first seen get no survey
SURVEY_SOURCE = "survey"


class Refused(DomainError):
    """A survey link that is not (or no longer) valid (HTTP 403/410)."""

    status = 403


class Expired(Refused):
    status = 410


def token_for(invite: SurveyInvite) -> str:
    return signing.dumps({"i": invite.pk, "t": invite.ticket_id, "n": invite.nonce},
                         salt=SALT)


def survey_url(invite: SurveyInvite) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "experience:survey", args=[invite.ticket_id, token_for(invite)])


def invite_from(ticket_pk: int, token: str, now: datetime) -> SurveyInvite:
    """The invitation a link names; Refused for a bad signature or another ticket, Expired
    once its time is up (an answered invitation is still shown)."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise Refused("this survey link is not valid") from None
    invite = (SurveyInvite.objects.select_related("ticket", "feedback")
              .filter(pk=data.get("i"), nonce=data.get("n")).first())
    if invite is None or invite.ticket_id != data.get("t") or invite.ticket_id != ticket_pk:
        raise Refused("this survey link is not for this ticket")
    if invite.state != InviteState.ANSWERED and now >= invite.expires_at:
        raise Expired("this survey link has expired")
    return invite


@transaction.atomic
def answer(invite: SurveyInvite, *, score, comment: str, now: datetime):
    """Store the requester's answer (CSAT 1-5) once; a second answer is refused."""
    claimed = SurveyInvite.objects.filter(pk=invite.pk, state=InviteState.SENT,
                                          expires_at__gt=now).update(
        state=InviteState.ANSWERED, answered_at=now)
    if claimed != 1:
        raise Refused("this survey has already been answered")
    ticket = invite.ticket
    clean = clean_feedback({
        "source": SURVEY_SOURCE, "id": f"{ticket.pk}-{int(invite.resolved_at.timestamp())}",
        "ticket_id": ticket.ticket_id, "ticket_source": ticket.source,
        "timestamp": now, "kind": FeedbackKind.CSAT, "score": score, "scale": 5,
        "text": comment or "", "respondent": invite.recipient, "channel": "survey link"})
    _, feedback = store_one(clean, now=now)
    SurveyInvite.objects.filter(pk=invite.pk).update(feedback=feedback)
    invite.refresh_from_db()
    return feedback


@dataclass
class _Plan:
    agreement: Agreement | None
    recipient: str
    channel: Channel | None


def _recipient(ticket: Ticket) -> str:
    for key in ("requester_email", "requester", "email", "caller_email"):
        value = ticket.payload.get(key) if isinstance(ticket.payload, dict) else None
        if isinstance(value, str) and "@" in value:
            return value.strip()
    if ticket.customer_id:
        email = (ticket.customer.contacts.exclude(email="").order_by("pk")
                 .values_list("email", flat=True).first())
        return email or ""
    return ""


def _plan(ticket: Ticket) -> _Plan:
    ids = agreements_for(ticket, ticket.service, ticket.customer, ticket.resolved_at)
    agreement = (Agreement.objects.filter(pk__in=ids, kind=AgreementKind.SLA,
                                          survey_on_resolve=True).order_by("pk").first())
    channel = None
    if agreement is not None:
        name = settings.ACCORD_SURVEY_CHANNEL
        channels = Channel.objects.filter(kind=ChannelKind.EMAIL, enabled=True).order_by("pk")
        channel = (channels.filter(name=name) if name else channels).first()
    return _Plan(agreement, _recipient(ticket) if agreement else "", channel)


def resolved_unhandled(now: datetime):
    """Tickets resolved in the last LOOKBACK whose resolution has no invitation yet, oldest
    first (through the ``ticket_resolved`` index on (resolved_at, id))."""
    handled = SurveyInvite.objects.filter(ticket=OuterRef("pk"),
                                          resolved_at=OuterRef("resolved_at"))
    return (Ticket.objects.filter(resolved_at__isnull=False, resolved_at__lte=now,
                                  resolved_at__gte=now - LOOKBACK,
                                  stage__in=(TicketStage.RESOLVED, TicketStage.CLOSED))
            .exclude(Exists(handled)).select_related("service", "customer")
            .order_by("resolved_at", "pk"))


def next_resolved(now: datetime):
    return resolved_unhandled(now).first()


def invite_next(now: datetime, worker_id: str = "worker") -> bool:
    """A worker step: handle one newly resolved ticket (send its survey, or record that none
    goes). True when it did something."""
    ticket = next_resolved(now)
    if ticket is None:
        return False
    plan = _plan(ticket)
    send = plan.agreement is not None and plan.recipient and plan.channel is not None
    try:
        with transaction.atomic():
            invite = SurveyInvite.objects.create(
                ticket=ticket, resolved_at=ticket.resolved_at, agreement=plan.agreement,
                state=InviteState.SENT if send else InviteState.SKIPPED,
                recipient=plan.recipient, nonce=secrets.token_hex(8),
                expires_at=now + VALID_FOR, created_at=now)
            if send:
                url = survey_url(invite)
                subject = f"How did we do? {ticket}"
                body = (f"Your ticket {ticket.ticket_id} was resolved.\n\nHow satisfied are you "
                        f"with how it was handled? One question, no account needed:\n{url}\n\n"
                        f"The link works once and until {invite.expires_at:%Y-%m-%d}.")
                key = f"survey:{ticket.pk}:{int(ticket.resolved_at.timestamp())}"
                enqueue(plan.channel, plan.recipient, subject, body, "",
                        {"ticket": ticket.pk, "survey_url": url}, key, now)
    except IntegrityError:  # another worker handled this resolution first
        return True
    return True


def score_value(raw) -> int:
    try:
        score = int(raw)
    except (TypeError, ValueError):
        raise InvalidInput("score must be a whole number from 1 to 5", "score") from None
    if not 1 <= score <= 5:
        raise InvalidInput("score must be a whole number from 1 to 5", "score")
    return score
