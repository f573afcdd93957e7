"""Scheduled delivery: on the first business day of each month the worker sends each agreement's
service report for the month just ended to its contacts, through the escalation outbox.

One unit of work is one agreement and period: its notifications (one per contact, or one to
the channel's own addresses when the agreement names no contact) are written in one
transaction, each with the idempotency key ``service-report:<reference>:<period>:<recipient>``.
The outbox refuses a second row with a key it holds, so a report is never sent twice, even
with several workers; it is never lost either: until its rows exist the period stays due, and
once they exist the outbox delivers them at least once. A worker that was down on the day
sends the report when it comes back.

The first business day is the first open instant of the agreement's calendar at or after the
period's start in the reporting zone (without a calendar: the first Monday-to-Friday day).
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction

from accord.agreements.choices import AgreementStatus
from accord.agreements.models import Agreement
from accord.catalogue.calendars import business_calendar
from accord.escalation.choices import ChannelKind
from accord.escalation.models import Channel, Notification
from accord.escalation.services.outbox import enqueue

from . import service_report
from .periods import Period
from .render_html import render_html

log = logging.getLogger("accord.reporting")

KEY_PREFIX = "service-report"
IN_EFFECT = (AgreementStatus.ACTIVE, AgreementStatus.UNDER_REVIEW)


def first_business_instant(agreement: Agreement, start: datetime) -> datetime:
    """The first open instant at or after ``start`` (a period's first business day)."""
    if agreement.calendar_id:
        calendar = business_calendar(agreement.calendar)
        for opens, _ in calendar.open_intervals(start, start + timedelta(days=40)):
            return opens
        return start + timedelta(days=40)
    day = start
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def report_key(agreement: Agreement, period: Period, recipient: str) -> str:
    return f"{KEY_PREFIX}:{agreement.reference}:{period.label}:{recipient or 'channel'}"


def recipients(agreement: Agreement) -> list[str]:
    """The contacts' addresses, each once; [""] (the channel's own addresses) when none."""
    addresses = [u.email for u in agreement.counterparty_signatories() if u.email]
    party = agreement.counterparty
    if getattr(party, "contact_email", ""):
        addresses.append(party.contact_email)
    return sorted(set(addresses)) or [""]


def report_channel() -> Channel | None:
    return Channel.objects.filter(kind=ChannelKind.EMAIL, enabled=True).order_by("name").first()


def due_period(agreement: Agreement, now: datetime) -> Period | None:
    """The month whose report is due as of ``now``: the month before the current one in
    the reporting zone, once the current month's first business day has begun."""
    current = Period.containing("month", now, agreement.reporting_zone)
    if now < first_business_instant(agreement, current.start):
        return None
    return current.shift(-1)


def _was_in_force(agreement: Agreement, period: Period) -> bool:
    return agreement.versions.filter(
        frozen_at__isnull=False, effective_from__lt=period.end_utc).exclude(
        effective_to__lte=period.start_utc).exists()


def _sent_periods(now: datetime) -> set[tuple[str, str]]:
    """(reference, period) of every report written to the outbox in the last ~two months:
    one query, however many agreements."""
    keys = Notification.objects.filter(
        idempotency_key__startswith=f"{KEY_PREFIX}:", created_at__gte=now - timedelta(days=70),
    ).values_list("idempotency_key", flat=True)
    return {tuple(key.split(":")[1:3]) for key in keys}


# A report that failed to build waits this long before the next try (in this process), so
# one bad agreement does not hold up the others' reports or spin the worker.
RETRY_AFTER = timedelta(minutes=30)
_failed: dict[tuple[int, str], datetime] = {}
# (agreement, period) found with no signed version in force: a past period stays so (its
# versions are frozen), so each worker asks once, not on every pass.
_not_in_force: set[tuple[int, str]] = set()


def send_report(agreement: Agreement, period: Period, channel: Channel,
                now: datetime) -> list[Notification]:
    """Write the period's report to the outbox for each recipient, in one transaction."""
    doc = service_report.build(agreement, period, now)
    html = render_html(doc)
    summary, title = doc["summary"], doc["period"]["title"]
    subject = (f"{agreement.reference} {agreement.name}: service report {title} — "
               f"{summary['met']} objectives met, {summary['missed']} missed")
    body = (f"The {title} service report of {agreement.reference} {agreement.name}.\n"
            f"Objectives met: {summary['met']}; missed their objective: {summary['missed']}; "
            f"no data: {summary['no_data']}; breaches: {summary['breaches']}; "
            f"credits: {summary['credits_total'] or 'none'} {summary['currency']}.\n"
            f"The PDF: /reports/{agreement.pk}/{period.label}.pdf\n")
    with transaction.atomic():
        return [enqueue(channel, recipient, subject, body, html,
                        {"agreement": agreement.reference, "period": period.label,
                         "kind": "service_report"},
                        report_key(agreement, period, recipient), now)
                for recipient in recipients(agreement)]


def due_reports(now: datetime) -> list[tuple[Agreement, Period]]:
    """Agreements in effect whose last month's report is due and not yet in the outbox."""
    sent = _sent_periods(now)
    due = []
    agreements = Agreement.objects.filter(status__in=IN_EFFECT).select_related(
        "calendar", "customer", "team", "supplier", "owner").order_by("pk")
    for agreement in agreements:
        period = due_period(agreement, now)
        if period is None or (agreement.reference, period.label) in sent:
            continue
        if _failed.get((agreement.pk, period.label), now) > now:
            continue
        if (agreement.pk, period.label) in _not_in_force:
            continue
        if _was_in_force(agreement, period):
            due.append((agreement, period))
        else:
            _not_in_force.add((agreement.pk, period.label))
    return due


def send_due_reports(now: datetime, worker_id: str = "", limit: int = 1) -> int:
    """Send up to ``limit`` due reports (agreement and period); the number sent."""
    channel = report_channel()
    if channel is None:
        return 0  # nothing can be sent: every report stays due until a channel exists
    sent = 0
    for agreement, period in due_reports(now)[:limit]:
        try:
            send_report(agreement, period, channel, now)
        except Exception:
            _failed[(agreement.pk, period.label)] = now + RETRY_AFTER
            log.exception("%s: the %s service report could not be built; next try after %s",
                          agreement.reference, period.label, now + RETRY_AFTER)
            continue
        sent += 1
    return sent


def deliver_reports_step(now: datetime, worker_id: str) -> bool:
    """The worker step (``escalation.worker.register_step``): one report per unit."""
    return send_due_reports(now, worker_id, limit=1) > 0
