"""Domain operations of the connectors app: the only writers of its tables.

Connectors are created, changed and deleted here (audited, secrets and credentials never in
the trail). ``receive`` takes one call from a desk: it verifies the signature (a bad one
raises ``BadSignature`` and stores nothing), records the delivery, turns the payload into
events through the desk module and stores them through measurement's ``ingest_events``. A
payload that cannot be read, or whose events intake rejects, is kept as a dead letter, to
``replay`` once the mapping is fixed.
"""

import json
from datetime import datetime

from django.db import transaction
from django.db.models import F

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change, snapshot
from accord.clock.events import aware_utc
from accord.lib.errors import DomainError, InvalidInput
from accord.measurement.services import ingest_events

from .choices import ConnectorKind, DeadLetterStatus, DeliveryChannel, DeliveryOutcome
from .desks import DESKS, Unmappable, clean_mapping, default_mapping
from .desks.base import BadSignature
from .models import Connector, DeadLetter, Delivery

_EDITABLE = {"name", "kind", "source", "mapping", "secret", "base_url", "credentials",
             "enabled", "sync_interval_minutes"}
# Headers kept with a dead letter (what a replay or a person may need; no signatures).
_KEPT_HEADERS = ("Content-Type", "User-Agent", "X-Atlassian-Webhook-Identifier",
                 "X-Atlassian-Webhook-Retry", "X-Zammad-Delivery", "X-Zammad-Trigger",
                 "X-Zendesk-Webhook-Id", "X-Accord-Pulled")

__all__ = ["BadSignature", "Disabled", "create_connector", "update_connector",
           "delete_connector", "receive", "replay", "discard", "connector_state"]


class Disabled(DomainError):
    status = 403


def connector_state(connector: Connector) -> dict:
    """What the audit trail shows: the secret and credentials only as whether they are set."""
    state = snapshot(connector)
    state["secret"] = "set" if connector.secret else ""
    state["credentials"] = sorted(connector.credentials) if connector.credentials else []
    for name in ("sync_cursor", "next_sync_at", "last_sync_at", "last_sync_error", "deliveries",
                 "events_stored", "duplicates", "refused", "last_delivery_at"):
        state.pop(name, None)
    return state


def _text(value, field: str, limit: int, *, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidInput("expected text", field=field)
    value = value.strip()
    if not value and not empty:
        raise InvalidInput("must not be empty", field=field)
    if len(value) > limit:
        raise InvalidInput(f"longer than {limit} characters", field=field)
    return value


def clean_fields(fields: dict, connector: Connector | None) -> dict:
    """The fields validated (InvalidInput naming the first bad one), ready to set."""
    out = {}
    kind = fields.get("kind", connector.kind if connector else None)
    if kind not in ConnectorKind.values:
        raise InvalidInput(f"unknown kind {kind!r} (expected one of "
                           f"{', '.join(ConnectorKind.values)})", field="kind")
    if "kind" in fields:
        out["kind"] = kind
    if "name" in fields:
        name = _text(fields["name"], "name", 100)
        taken = Connector.objects.filter(name=name)
        if connector:
            taken = taken.exclude(pk=connector.pk)
        if taken.exists():
            raise InvalidInput(f"name {name!r} is already taken", field="name")
        out["name"] = name
    if "source" in fields:
        out["source"] = _text(fields["source"], "source", 64)
    if "secret" in fields:
        secret = _text(fields["secret"], "secret", 200)
        out["secret"] = secret
    if "mapping" in fields and fields["mapping"] is not None:
        out["mapping"] = clean_mapping(fields["mapping"])
    if "base_url" in fields:
        url = _text(fields["base_url"] or "", "base_url", 200, empty=True)
        if url and not url.startswith(("http://", "https://")):
            raise InvalidInput("expected an http(s) URL", field="base_url")
        out["base_url"] = url.rstrip("/")
    if "credentials" in fields:
        credentials = fields["credentials"] or {}
        if not isinstance(credentials, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in credentials.items()):
            raise InvalidInput("expected an object of text -> text", field="credentials")
        out["credentials"] = credentials
    if "enabled" in fields:
        if not isinstance(fields["enabled"], bool):
            raise InvalidInput("expected true or false", field="enabled")
        out["enabled"] = fields["enabled"]
    if "sync_interval_minutes" in fields:
        minutes = fields["sync_interval_minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 10080:
            raise InvalidInput("expected whole minutes from 0 (never) to 10080",
                               field="sync_interval_minutes")
        out["sync_interval_minutes"] = minutes
    return out


def merged_mapping(kind: str, mapping: dict | None) -> dict:
    """The kind's shipped defaults with ``mapping`` laid over them (objects merged a level
    deep, as importers' --mapping files are)."""
    merged = default_mapping(kind)
    for key, value in (mapping or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return clean_mapping(merged)


@transaction.atomic
def create_connector(*, by, now: datetime, kind: str, name: str, source: str, secret: str,
                     mapping: dict | None = None, **extra) -> Connector:
    now = aware_utc(now, "now")
    unknown = sorted(set(extra) - _EDITABLE)
    if unknown:
        raise InvalidInput("unknown field", field=unknown[0])
    fields = clean_fields({"kind": kind, "name": name, "source": source, "secret": secret,
                     "mapping": mapping, **extra}, None)
    fields["mapping"] = merged_mapping(kind, mapping)
    connector = Connector(created_at=now, **fields)
    if connector.sync_interval_minutes:
        connector.next_sync_at = now
    connector.save()
    record_change(by, connector, AuditAction.CREATE, after=connector_state(connector))
    return connector


@transaction.atomic
def update_connector(connector: Connector, *, by, now: datetime, **fields) -> Connector:
    unknown = sorted(set(fields) - _EDITABLE)
    if unknown:
        raise InvalidInput("cannot be changed", field=unknown[0])
    before = connector_state(connector)
    cleaned = clean_fields(fields, connector)
    if "kind" in cleaned and cleaned["kind"] != connector.kind and "mapping" not in cleaned:
        cleaned["mapping"] = default_mapping(cleaned["kind"])
    for name, value in cleaned.items():
        setattr(connector, name, value)
    if "sync_interval_minutes" in cleaned:
        connector.next_sync_at = aware_utc(now, "now") if connector.sync_interval_minutes \
            else None
    connector.save()
    record_change(by, connector, AuditAction.UPDATE, before=before,
                  after=connector_state(connector))
    return connector


@transaction.atomic
def delete_connector(connector: Connector, *, by) -> None:
    record_change(by, connector, AuditAction.DELETE, before=connector_state(connector))
    connector.delete()


# Deliveries ------------------------------------------------------------------------------


def _headers(headers) -> dict:
    kept = {}
    for name in _KEPT_HEADERS:
        value = headers.get(name)
        if value:
            kept[name] = str(value)[:500]
    return kept


def receive(connector: Connector, headers, body: bytes, *, now: datetime,
            channel: str = DeliveryChannel.WEBHOOK, verify: bool = True) -> Delivery:
    """Take one call of the connector's desk. Raises ``BadSignature`` (nothing stored) or
    ``Disabled``; otherwise returns the recorded delivery."""
    now = aware_utc(now, "now")
    desk = DESKS[connector.kind]
    if verify:
        desk.verify(connector.secret, headers, body, now)
    if not connector.enabled:
        raise Disabled(f"connector {connector.name!r} is disabled")
    key = desk.delivery_key(headers)[:200]
    if key and channel == DeliveryChannel.WEBHOOK:
        earlier = (Delivery.objects.filter(connector=connector, key=key)
                   .exclude(outcome=DeliveryOutcome.REFUSED).order_by("id").first())
        if earlier is not None:
            return _record(connector, now, channel, DeliveryOutcome.ACCEPTED, key=key,
                           desk_event=earlier.desk_event, events=earlier.events,
                           duplicate_events=earlier.events, size=len(body),
                           reason=f"redelivery of {key}: its events are stored already")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return _dead(connector, now, channel, key, "", headers, body,
                     f"the body is not valid JSON: {exc}")
    return process(connector, payload, now=now, channel=channel, key=key, headers=headers,
                   body=body)


def process(connector: Connector, payload, *, now, channel, key="", headers=None,
            body: bytes | None = None) -> Delivery:
    """Translate a parsed payload and store its events (webhooks, replays, pull pages)."""
    raw = body if body is not None else json.dumps(payload).encode()
    desk = DESKS[connector.kind]
    try:
        desk_event, items = desk.translate(payload, connector.mapping)
    except Unmappable as exc:
        return _dead(connector, now, channel, key, "", headers or {}, raw, str(exc))
    if not items:
        return _record(connector, now, channel, DeliveryOutcome.IGNORED, key=key,
                       desk_event=desk_event, size=len(raw),
                       reason=f"{desk_event or 'this event'}: nothing Accord measures")
    return _ingest(connector, items, now=now, channel=channel, key=key, desk_event=desk_event,
                   headers=headers or {}, raw=raw)


def _ingest(connector, items, *, now, channel, key, desk_event, headers, raw) -> Delivery:
    for item in items:
        item["source"] = connector.source
    result = ingest_events(items, now=now)
    counts = {"events": len(items), "stored": result.stored,
              "duplicate_events": result.duplicates, "rejected": result.rejected,
              "conflicts": result.count("conflict")}
    problems = [f"event {r.event_id or r.index}: " + "; ".join(
        f"{e['field'] or 'event'}: {e['msg']}" for e in r.errors) if r.errors else
        f"event {r.event_id}: {r.status} (same id, other content)"
        for r in result.results if r.status not in ("stored", "duplicate")]
    if problems:
        outcome = (DeliveryOutcome.PARTIAL if result.stored or result.duplicates
                   else DeliveryOutcome.REFUSED)
        return _dead(connector, now, channel, key, desk_event, headers, raw,
                     "\n".join(problems), outcome=outcome, **counts)
    return _record(connector, now, channel, DeliveryOutcome.ACCEPTED, key=key,
                   desk_event=desk_event, size=len(raw), **counts)


@transaction.atomic
def _record(connector, now, channel, outcome, **fields) -> Delivery:
    delivery = Delivery.objects.create(connector=connector, channel=channel, received_at=now,
                                       outcome=outcome, **fields)
    failed = outcome in (DeliveryOutcome.REFUSED, DeliveryOutcome.PARTIAL)
    Connector.objects.filter(pk=connector.pk).update(
        deliveries=F("deliveries") + 1, events_stored=F("events_stored") + delivery.stored,
        duplicates=F("duplicates") + delivery.duplicate_events,
        refused=F("refused") + (1 if failed else 0), last_delivery_at=now)
    return delivery


@transaction.atomic
def _dead(connector, now, channel, key, desk_event, headers, body: bytes, reason: str, *,
          outcome=DeliveryOutcome.REFUSED, **counts) -> Delivery:
    delivery = _record(connector, now, channel, outcome, key=key, desk_event=desk_event,
                       size=len(body), reason=reason[:5000], **counts)
    DeadLetter.objects.create(connector=connector, delivery=delivery, received_at=now,
                              headers=_headers(headers),
                              body=body.decode("utf-8", "replace"), reason=reason[:5000])
    return delivery


def replay(letter: DeadLetter, *, by, now: datetime) -> Delivery:
    """Send a dead letter through the connector's current mapping again. It is closed when
    every event is now stored (or a duplicate); otherwise it stays open with the new
    reason (the new delivery's own dead letter is not kept twice)."""
    if letter.status != DeadLetterStatus.OPEN:
        raise DomainError(f"this dead letter is {letter.status} already", field="status")
    connector = letter.connector
    body = letter.body.encode()
    try:
        payload = json.loads(body)
    except ValueError as exc:
        payload, error = None, f"the body is not valid JSON: {exc}"
    else:
        error = None
    with transaction.atomic():
        if payload is None:
            delivery = _record(connector, now, DeliveryChannel.REPLAY, DeliveryOutcome.REFUSED,
                               size=len(body), reason=error)
        else:
            if letter.headers.get(PULLED_HEADER) and isinstance(payload, list):
                delivery = _ingest(connector, payload, now=now, channel=DeliveryChannel.REPLAY,
                                   key="", desk_event="pulled events", headers=letter.headers,
                                   raw=body)
            else:
                delivery = process(connector, payload, now=now,
                                   channel=DeliveryChannel.REPLAY, headers=letter.headers,
                                   body=body)
            DeadLetter.objects.filter(delivery=delivery).delete()  # this one stays the letter
        before = snapshot(letter)
        letter.replay_result = {"delivery": delivery.pk, "outcome": delivery.outcome,
                                "stored": delivery.stored,
                                "duplicates": delivery.duplicate_events,
                                "rejected": delivery.rejected, "reason": delivery.reason}
        letter.replayed_at = now
        if delivery.outcome in (DeliveryOutcome.ACCEPTED, DeliveryOutcome.IGNORED):
            letter.status = DeadLetterStatus.REPLAYED
        else:
            letter.reason = delivery.reason
        letter.save()
        record_change(by, letter, AuditAction.UPDATE, before=before, after=snapshot(letter),
                      message=f"replayed: {delivery.outcome}")
    return delivery


@transaction.atomic
def discard(letter: DeadLetter, *, by) -> DeadLetter:
    if letter.status != DeadLetterStatus.OPEN:
        raise DomainError(f"this dead letter is {letter.status} already", field="status")
    before = snapshot(letter)
    letter.status = DeadLetterStatus.DISCARDED
    letter.save(update_fields=["status"])
    record_change(by, letter, AuditAction.UPDATE, before=before, after=snapshot(letter),
                  message="discarded")
    return letter


def record_test(connector: Connector, now, outcome, message: str, size: int) -> Delivery:
    """The delivery record of a "send test event" check (no events, counted as a delivery)."""
    return _record(connector, aware_utc(now, "now"), DeliveryChannel.TEST, outcome,
                   desk_event="test", size=size, reason=message)


PULLED_HEADER = "X-Accord-Pulled"  # a dead letter of normalized events from a pull sync


def store_pulled(connector: Connector, events: list[dict], *, now, label: str) -> Delivery:
    """One page of a pull sync: its events (already normalized) through intake, recorded as
    a delivery; events intake rejects are kept as a dead letter of normalized events."""
    now = aware_utc(now, "now")
    if not events:
        return _record(connector, now, DeliveryChannel.PULL, DeliveryOutcome.IGNORED,
                       desk_event=label[:100], reason="no changes on this page")
    return _ingest(connector, events, now=now, channel=DeliveryChannel.PULL, key="",
                   desk_event=label[:100], headers={PULLED_HEADER: "events"},
                   raw=json.dumps(events).encode())
