"""Planned maintenance tells the customers it affects: one outbox notification per window and
contact (idempotency key ``maintenance:<window>:user:<id>`` or
``maintenance:<window>:customer:<id>`` for the customer's contact address), delivered by the
escalation worker like every other message. Calling it again sends nothing twice."""

from datetime import datetime

from django.db import transaction

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change
from accord.catalogue.models import Customer
from accord.escalation.choices import ChannelKind
from accord.escalation.models import Channel
from accord.escalation.services.outbox import enqueue
from accord.lib.errors import DomainError

from .impact import impact


def default_channel() -> Channel:
    found = (Channel.objects.filter(enabled=True, kind=ChannelKind.EMAIL).order_by("name")
             .first())
    if found is None:
        raise DomainError("no enabled email channel to notify through: add one or name one",
                          "channel")
    return found


def recipients(customers) -> list[tuple[str, str]]:
    """(idempotency suffix, address) of each contact of these customers."""
    found = []
    for customer in customers:
        for user in customer.contacts.exclude(email="").order_by("pk"):
            found.append((f"user:{user.pk}", user.email))
        if customer.contact_email:
            found.append((f"customer:{customer.pk}", customer.contact_email))
    seen, unique = set(), []
    for key, address in found:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique.append((key, address))
    return unique


@transaction.atomic
def notify_maintenance(window, *, by, now: datetime, channel: Channel | None = None) -> dict:
    """Queue a notice of ``window`` to the contacts of every customer whose agreements it
    touches. Returns {"window", "impact", "notifications": [{"recipient", "key"}]}."""
    channel = channel or default_channel()
    found = impact(service=window.service_id, start=window.start, end=window.end, now=now)
    customers = Customer.objects.filter(pk__in=[c["id"] for c in found["customers"]])
    services = ", ".join(s["name"] for s in found["services"] if s["down"]) or str(
        window.service)
    subject = (f"Planned maintenance {window.start:%Y-%m-%d %H:%M} – {window.end:%H:%M} UTC: "
               f"{services}")
    body = (f"Planned maintenance on {window.service} from {window.start.isoformat()} to "
            f"{window.end.isoformat()}.\nServices affected: {services}.\n"
            f"{window.description}".strip())
    sent = []
    for suffix, address in recipients(customers):
        key = f"maintenance:{window.pk}:{suffix}"
        enqueue(channel, address, subject, body, "", {
            "type": "maintenance", "window": window.pk, "service": window.service_id,
            "start": window.start.isoformat(), "end": window.end.isoformat(),
            "services": [s["id"] for s in found["services"] if s["down"]]}, key, now)
        sent.append({"recipient": address, "key": key})
    record_change(by, window, AuditAction.UPDATE, changes={},
                  message=f"maintenance notice queued for {len(sent)} contact(s)")
    return {"window": window.pk, "impact": found, "notifications": sent}
