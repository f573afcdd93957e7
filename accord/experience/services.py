"""Feedback in: the API, the CSV import, hand-entered complaints and compliments, and the
survey page all store through ``ingest_feedback`` / ``store_one``. A batch (API, CSV import)
is audited like the ticket event ingest: one row per source naming what it stored; a single
answer (survey page) or a hand-entered item is audited on its own."""

import uuid
from collections import Counter
from datetime import datetime

from django.db import IntegrityError, transaction

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change
from accord.agreements.choices import AgreementKind
from accord.agreements.models import Agreement
from accord.agreements.queries import agreements_covering
from accord.agreements.validation import require_now
from accord.catalogue.models import Customer, Service
from accord.lib.errors import Forbidden, InvalidInput
from accord.measurement.models import Clock, Ticket

from .choices import HAND_KINDS, FeedbackStatus
from .models import Feedback, link
from .validation import clean_feedback, content_hash

MANUAL_SOURCE = "manual"


def agreements_for(ticket, service, customer, at: datetime) -> list[int]:
    """The agreements feedback belongs to: those whose clocks its ticket has, else the SLAs
    covering its service and customer at its instant."""
    if ticket is not None:
        found = list(Clock.objects.filter(ticket=ticket).order_by()
                     .values_list("agreement_id", flat=True).distinct())
        if found:
            return found
    return [a.pk for a in agreements_covering(at, customer=customer, service=service)]


def _resolve(clean: dict) -> dict:
    """Names and ticket ids to rows; an unknown one is an error naming its field."""
    ticket = None
    if clean["ticket_id"]:
        ticket = Ticket.objects.filter(source=clean["ticket_source"],
                                       ticket_id=clean["ticket_id"]).first()
        if ticket is None:
            raise InvalidInput(f"no ticket {clean['ticket_id']!r} in source "
                               f"{clean['ticket_source']!r}", "ticket_id")
    rows = {"ticket": ticket}
    for name, model in (("service", Service), ("customer", Customer)):
        if clean[name]:
            rows[name] = model.objects.filter(name=clean[name]).first()
            if rows[name] is None:
                raise InvalidInput(f"unknown {name} {clean[name]!r}", name)
        else:
            rows[name] = getattr(ticket, name) if ticket is not None else None
    return rows


def _fields(clean: dict, rows: dict, now: datetime, by=None) -> dict:
    return {"source": clean["source"], "feedback_id": clean["id"], "ticket": rows["ticket"],
            "ticket_source": clean["ticket_source"], "ticket_ref": clean["ticket_id"],
            "service": rows["service"], "customer": rows["customer"],
            "at": clean["timestamp"], "kind": clean["kind"], "score": clean["score"],
            "scale": clean["scale"], "text": clean["text"], "respondent": clean["respondent"],
            "channel": clean["channel"], "content_hash": content_hash(clean),
            "created_at": now, "entered_by": by}


def _result(index, item_id, status, errors=()) -> dict:
    return {"index": index, "id": item_id, "status": status, "errors": list(errors)}


def store_one(clean: dict, *, now: datetime, user=None, by=None,
              audit: bool = True) -> tuple[str, Feedback]:
    """Store one validated item: (status, the stored row). The stored record is kept on a
    duplicate and on a conflict. ``audit=False``: the caller audits the batch."""
    existing = Feedback.objects.filter(source=clean["source"], feedback_id=clean["id"]).first()
    digest = content_hash(clean)
    if existing is not None:
        same = existing.content_hash == digest
        return (FeedbackStatus.DUPLICATE if same else FeedbackStatus.CONFLICT), existing
    rows = _resolve(clean)
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(**_fields(clean, rows, now, by))
            link(feedback, agreements_for(rows["ticket"], rows["service"], rows["customer"],
                                          clean["timestamp"]))
            if audit:
                record_change(user, feedback, AuditAction.IMPORT if by is None
                              else AuditAction.CREATE, at=now)
    except IntegrityError:  # a concurrent request stored the same id first
        existing = Feedback.objects.get(source=clean["source"], feedback_id=clean["id"])
        same = existing.content_hash == digest
        return (FeedbackStatus.DUPLICATE if same else FeedbackStatus.CONFLICT), existing
    return FeedbackStatus.STORED, feedback


def ingest_feedback(items: list, *, now: datetime, user=None,
                    default_source: str = "api") -> dict:
    """Store each item on its own: stored, duplicate (same id, same content), conflict (same
    id, different content: the stored record is kept) or rejected (field and reason). The
    batch is audited once per source that stored something (like the ticket event ingest)."""
    require_now(now)
    results = []
    stored: Counter = Counter()
    newest: dict[str, Feedback] = {}
    for index, item in enumerate(items):
        raw_id = item.get("id") if isinstance(item, dict) else None
        raw_id = str(raw_id) if isinstance(raw_id, str | int) else None
        try:
            clean = clean_feedback(item, default_source)
            status, feedback = store_one(clean, now=now, user=user, audit=False)
        except InvalidInput as exc:
            results.append(_result(index, raw_id, FeedbackStatus.REJECTED,
                                   [{"field": exc.field, "msg": exc.message}]))
            continue
        results.append(_result(index, clean["id"], status))
        if status == FeedbackStatus.STORED:
            stored[feedback.source] += 1
            newest[feedback.source] = feedback
    result = summary(results)
    _audit_batch(user, stored, newest, result, now)
    return result


def _audit_batch(user, stored: Counter, newest: dict, result: dict, now: datetime) -> None:
    """One audit row per source (on the last item it stored), like the event ingest's."""
    for source, count in sorted(stored.items()):
        record_change(user, newest[source], AuditAction.IMPORT, changes={}, at=now,
                      message=f"{count} feedback items stored from {source} "
                      f"({result['duplicates']} duplicates, {result['conflicts']} conflicts, "
                      f"{result['rejected']} rejected in the batch)")


def summary(results: list[dict]) -> dict:
    count = lambda status: sum(1 for r in results if r["status"] == status)  # noqa: E731
    return {"stored": count(FeedbackStatus.STORED),
            "duplicates": count(FeedbackStatus.DUPLICATE),
            "conflicts": count(FeedbackStatus.CONFLICT),
            "rejected": count(FeedbackStatus.REJECTED), "results": results}


def enter_by_hand(*, by, now: datetime, kind: str, service: Service, agreement: Agreement,
                  text: str, at: datetime | None = None, customer: Customer | None = None,
                  respondent: str = "") -> Feedback:
    """A complaint or compliment a service owner enters, linked to a service and agreement."""
    require_now(now)
    if kind not in HAND_KINDS:
        raise InvalidInput("kind must be complaint or compliment", "kind")
    if service is None:
        raise InvalidInput("service is required", "service")
    if agreement is None:
        raise InvalidInput("agreement is required", "agreement")
    if not service.may_be_changed_by(by):
        raise Forbidden(f"only the owner of {service.name} or a service level manager may "
                        "enter its complaints and compliments")
    if agreement.services.exists() and not agreement.services.filter(pk=service.pk).exists():
        raise InvalidInput(f"{agreement.reference} does not cover {service.name}", "agreement")
    if customer is None and agreement.kind == AgreementKind.SLA:
        customer = agreement.customer
    item = {"source": MANUAL_SOURCE, "id": uuid.uuid4().hex, "kind": kind,
            "timestamp": at or now, "text": text, "respondent": respondent,
            "service": service.name, "customer": customer.name if customer else "",
            "channel": "by hand"}
    clean = clean_feedback(item)
    if not clean["text"]:
        raise InvalidInput("text is required: what was the complaint or compliment?", "text")
    with transaction.atomic():
        feedback = Feedback.objects.create(**_fields(clean, {
            "ticket": None, "service": service, "customer": customer}, now, by))
        link(feedback, [agreement.pk])
        record_change(by, feedback, AuditAction.CREATE, message=f"{kind} entered by hand",
                      at=now)
    return feedback
