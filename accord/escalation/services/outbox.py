"""The notification outbox: write a row with the change that caused it, then deliver it
at-least-once (DESIGN decision 4).

A delivery is claim -> send -> record. The claim marks the row 'sending' with a lease
(``claimed_until``) and writes a DeliveryAttempt, committed before any network call; a worker
killed mid-delivery leaves the row 'sending', and once the lease lapses another worker claims
it again. Claims use SELECT ... FOR UPDATE SKIP LOCKED where the database has it (PostgreSQL)
and always a compare-and-set UPDATE whose row count must be 1 (SQLite ignores row locks).

Services never read the wall clock: callers pass ``now``. Instants later in a delivery run are
``now`` plus the monotonic time spent since, so slow deliveries are stamped correctly.
"""

import hashlib
import json
import logging
import time
import uuid
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Min

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change
from accord.lib.errors import DomainError, InvalidInput

from ..channels import TransportError
from ..channels.email import check_address
from ..choices import ChannelKind, NotificationStatus
from ..conf import setting
from ..models import Channel, DeliveryAttempt, Notification

log = logging.getLogger("accord.escalation")

PENDING, SENDING = NotificationStatus.PENDING, NotificationStatus.SENDING
DELIVERED, DEAD = NotificationStatus.DELIVERED, NotificationStatus.DEAD


def require_aware(value, name: str = "now") -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")
    return value


def backoff_delay(attempt: int, key: str, base: float | None = None,
                  cap: float | None = None) -> timedelta:
    """The wait after failed attempt number ``attempt`` (1, 2, ...): ``base`` · 2^(attempt-1),
    capped, minus up to 20 % jitter drawn from the key, so retries of many notifications spread
    out yet each one's schedule is reproducible."""
    base = setting("ACCORD_DELIVERY_BACKOFF") if base is None else base
    cap = setting("ACCORD_DELIVERY_BACKOFF_CAP") if cap is None else cap
    raw = min(cap, base * 2 ** min(max(attempt, 1) - 1, 40))
    digest = hashlib.sha256(f"{key}:{attempt}".encode()).digest()
    fraction = int.from_bytes(digest[:4], "big") / 2**32
    return timedelta(seconds=raw * (1 - 0.2 * fraction))


def _clean_message(channel: Channel, recipient: str, subject: str, payload, key: str):
    if not isinstance(key, str) or not key.strip() or len(key) > 200:
        raise InvalidInput("key must be 1 to 200 characters", field="key")
    if not channel.pk:
        raise InvalidInput("channel must be saved first", field="channel")
    subject = " ".join(str(subject).split())  # one line: no header injection
    if not subject:
        raise InvalidInput("subject must not be empty", field="subject")
    if channel.kind == ChannelKind.EMAIL and recipient:
        check_address(recipient, "recipient")
    if len(recipient) > 254:
        raise InvalidInput("recipient is longer than 254 characters", field="recipient")
    payload = {} if payload is None else payload
    if not isinstance(payload, dict):
        raise InvalidInput("payload must be a JSON object", field="payload")
    try:
        payload = json.loads(json.dumps(payload))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"payload is not JSON: {exc}", field="payload") from None
    return subject[:255], payload


def enqueue(channel: Channel, recipient: str, subject: str, body: str, html: str,
            payload: dict | None, key: str, now: datetime, *, escalation=None,
            max_attempts: int | None = None, fresh: bool = False) -> Notification:
    """Write one notification to the outbox, due at ``now``; call it inside the transaction of
    the change that caused it. Idempotent by ``key``: a second call returns the first row.
    ``fresh``: the caller knows the key is new (it derives from a row it just inserted), so
    a duplicate is its own IntegrityError to handle; this saves three round trips."""
    require_aware(now)
    subject, payload = _clean_message(channel, recipient or "", subject, payload, key)

    def create():
        return Notification.objects.create(
            idempotency_key=key, channel=channel, escalation=escalation,
            recipient=recipient or "", subject=subject, body=body, html=html or "",
            payload=payload, max_attempts=max_attempts or setting(
                "ACCORD_DELIVERY_MAX_ATTEMPTS"),
            next_attempt_at=now, created_at=now,
        )

    if fresh:
        return create()
    existing = Notification.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:  # a concurrent enqueue with the same key won
        return Notification.objects.get(idempotency_key=key)


def _candidates(at: datetime):
    """Claimable rows, in the two shapes the partial indexes serve: expired leases first
    (a crashed worker's deliveries), then pending rows that are due."""
    yield Notification.objects.filter(status=SENDING, claimed_until__lte=at).order_by(
        "claimed_until")
    yield Notification.objects.filter(status=PENDING, next_attempt_at__lte=at).order_by(
        "next_attempt_at")


def _claim_next(at: datetime, worker_id: str):
    """Claim one due notification: (notification, attempt), or None when nothing is due."""
    lease = timedelta(seconds=setting("ACCORD_DELIVERY_LEASE"))
    for _ in range(10):  # lost races only; each round looks again
        with transaction.atomic():
            row = None
            for queryset in _candidates(at):
                row = queryset.select_for_update(skip_locked=True, of=("self",)).values_list(
                    "pk", "status", "attempts").first()
                if row is not None:
                    break
            if row is None:
                return None
            pk, status, attempts = row
            won = Notification.objects.filter(pk=pk, status=status, attempts=attempts).update(
                status=SENDING, attempts=attempts + 1, claimed_by=worker_id,
                claimed_until=at + lease,
            )
            if won != 1:
                continue  # another worker claimed it between our read and our write
            attempt = DeliveryAttempt.objects.create(
                notification_id=pk, number=attempts + 1, worker=worker_id, started_at=at
            )
        notification = Notification.objects.select_related("channel").get(pk=pk)
        return notification, attempt
    return None


def _send(notification: Notification, at: datetime, *, check_enabled=True):
    """Call the channel's transport: (status code, None) or (status code, TransportError)."""
    channel = notification.channel
    try:
        if check_enabled and not channel.enabled:
            raise TransportError(f"channel {channel.name!r} is disabled", permanent=True)
        return channel.transport(at).notify(notification), None
    except TransportError as exc:
        return exc.status_code, exc
    except Exception as exc:  # a bug in a transport must not stop the worker: retry later
        log.exception("notification %s: transport crashed", notification.pk)
        return None, TransportError(f"internal error: {exc!r}")


def _record(notification: Notification, attempt: DeliveryAttempt, status_code, error,
            finished: datetime, worker_id: str) -> None:
    """Store the attempt's outcome; the row must still be ours (status, claim, attempt)."""
    message = error.message[:2000] if error else ""
    with transaction.atomic():
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=finished, ok=error is None, status_code=status_code, error=message
        )
        mine = Notification.objects.filter(
            pk=notification.pk, status=SENDING, claimed_by=worker_id,
            attempts=notification.attempts,
        )
        if error is None:
            changed = mine.update(status=DELIVERED, delivered_at=finished, claimed_until=None,
                                  last_error="")
        elif error.permanent or notification.attempts >= notification.max_attempts:
            changed = mine.update(status=DEAD, claimed_until=None, last_error=message)
        else:
            delay = backoff_delay(notification.attempts, notification.idempotency_key)
            changed = mine.update(status=PENDING, next_attempt_at=finished + delay,
                                  claimed_until=None, last_error=message)
        Channel.objects.filter(pk=notification.channel_id).update(last_error=message)
    if changed != 1:
        log.warning("notification %s: claim lapsed before attempt %s finished; another worker "
                    "owns it now", notification.pk, attempt.number)


def deliver_due(now: datetime, limit: int | None = None, worker_id: str = "worker") -> int:
    """Deliver up to ``limit`` due notifications, one claim at a time; returns how many were
    attempted. Call it outside any transaction: no lock is held during a network call."""
    require_aware(now)
    limit = setting("ACCORD_DELIVERY_BATCH") if limit is None else limit
    started = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    done = 0
    while done < limit:
        claimed = _claim_next(clock(), worker_id)
        if claimed is None:
            break
        notification, attempt = claimed
        status_code, error = _send(notification, attempt.started_at)
        _record(notification, attempt, status_code, error, clock(), worker_id)
        done += 1
    return done


def next_due_at() -> datetime | None:
    """The earliest instant at which some notification becomes claimable, if any."""
    due = Notification.objects.filter(status=PENDING).aggregate(at=Min("next_attempt_at"))["at"]
    lapse = Notification.objects.filter(status=SENDING).aggregate(at=Min("claimed_until"))["at"]
    return min((t for t in (due, lapse) if t is not None), default=None)


def retry_dead(notification: Notification, by, now: datetime) -> Notification:
    """Put a dead letter back in the outbox, due now, with a fresh budget of attempts."""
    require_aware(now)
    with transaction.atomic():
        changed = Notification.objects.filter(pk=notification.pk, status=DEAD).update(
            status=PENDING, next_attempt_at=now, claimed_until=None,
            max_attempts=F("attempts") + setting("ACCORD_DELIVERY_MAX_ATTEMPTS"),
        )
        if changed != 1:
            notification.refresh_from_db()
            raise DomainError(
                f"notification {notification.pk} is {notification.status}, not a dead letter"
            )
        notification.refresh_from_db()
        record_change(by, notification, AuditAction.TRANSITION,
                      changes={"status": [DEAD, PENDING]}, message="dead letter retried")
    return notification


def send_test(channel: Channel, by, now: datetime) -> Notification:
    """Send a test message through ``channel`` right away; one attempt, never retried."""
    require_aware(now)
    recipient = ""
    if channel.kind == ChannelKind.EMAIL and not channel.config.get("addresses"):
        if not by.email:
            raise InvalidInput("the channel has no addresses and you have no email address",
                               field="config.addresses")
        recipient = by.email
    worker_id = f"test:{by.username}"
    key = f"test:{channel.pk}:{uuid.uuid4().hex}"
    subject, payload = _clean_message(
        channel, recipient, f"Accord test notification for {channel.name}",
        {"test": True, "channel": channel.name, "requested_by": by.username}, key,
    )
    lease = timedelta(seconds=setting("ACCORD_DELIVERY_LEASE"))
    with transaction.atomic():
        notification = Notification.objects.create(
            idempotency_key=key, channel=channel, recipient=recipient, subject=subject,
            body=f"{by} sent this test through {channel.name}. It will not be retried.",
            payload=payload, status=SENDING, attempts=1, max_attempts=1,
            next_attempt_at=now, claimed_by=worker_id, claimed_until=now + lease,
            created_at=now,
        )
        attempt = DeliveryAttempt.objects.create(
            notification=notification, number=1, worker=worker_id, started_at=now
        )
    started = time.monotonic()
    status_code, error = _send(notification, now, check_enabled=False)
    finished = now + timedelta(seconds=time.monotonic() - started)
    _record(notification, attempt, status_code, error, finished, worker_id)
    notification.refresh_from_db()
    return notification
