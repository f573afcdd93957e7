"""Event intake: validate each item on its own, store the good ones once, report on each.

A batch costs a fixed handful of queries whatever its size: one per catalogue kind named,
one lookup of tickets, bulk inserts (binary COPY on PostgreSQL), and a refresh of the
tickets that already existed. Stored events are recognised by the insert itself on
PostgreSQL (ON CONFLICT ... RETURNING) and by one lookup under the write lock on SQLite.
New tickets are written with their fields already folded from the batch. A rejected item
leaves no trace: nothing is written for it.
"""

from collections import Counter, defaultdict
from collections.abc import Mapping
from contextlib import ExitStack
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction

from accord.accounts.choices import AuditAction
from accord.accounts.models import AuditEntry
from accord.accounts.services import record_change
from accord.clock.events import Event, aware_utc
from accord.lib.jsonsafe import text_problem

from ..choices import IngestStatus
from ..clocks import Beside
from ..models import CATALOGUE_FIELDS, Source, Ticket, TicketEvent
from ._bulk import (
    allocate_ids,
    gc_paused,
    insert_ignoring_conflicts,
    insert_returning,
    select_in,
    without_null_columns,
)
from ._checks import BadValue, check_event
from ._results import IngestResult, ItemResult
from ._same import repeat, stored_events
from .tickets import TICKET_COLUMNS, ticket_row, tickets_changed

_EVENT_FIELDS = ("source", "event_id", "ticket_id", "timestamp", "kind", "status", "priority",
                 "impact", "urgency", "type", *CATALOGUE_FIELDS, "public", "payload")


def ingest_events(
    items: list,
    *,
    now: datetime,
    user=None,
    create_missing: bool = False,
    source_defaults: Mapping | None = None,
    clocks: bool = True,
) -> IngestResult:
    """Store the valid events among ``items`` (dicts in the normalized event format, or
    ``accord.clock.events.Event`` objects).

    ``source_defaults`` fills fields an item leaves out (typically ``{"source": "crm"}``).
    Unknown service/customer/team/supplier names are rejected unless ``create_missing`` is
    set or the item's ``Source`` is configured to create them. Items whose (source, event_id)
    is already stored, or repeats an earlier item of the batch, are duplicates when their
    content is the same (``_same``) and conflicts when it is not; either way the stored (or
    earlier) event is kept unchanged.

    ``clocks=False`` leaves the stored clocks of ``result.ticket_ids`` to the caller, who
    must recompute them (an import run does it once, at its end).
    """
    now = aware_utc(now, "now")
    with gc_paused():
        return _ingest(items, now, user, create_missing, source_defaults, clocks)


def _ingest(items, now, user, create_missing, source_defaults, clocks) -> IngestResult:
    results: list[ItemResult | None] = [None] * len(items)
    events: dict[int, Event] = {}
    latest = now + timedelta(seconds=settings.ACCORD_EVENT_MAX_SKEW)
    for i, item in enumerate(items):
        try:
            event = _parse(item, source_defaults)
            if event.timestamp > latest:
                raise ValueError(_too_far_ahead(event, now))
            events[i] = event
        except ValueError as exc:
            results[i] = _rejected(i, item, [_error(exc)])

    sources = {s.name: s for s in Source.objects.filter(
        name__in={e.source for e in events.values()})}
    known, unknown = _known_names(events.values())
    creating = {name: create_missing or getattr(sources.get(name), "create_missing", False)
                for name in {e.source for e in events.values()}}
    if unknown and not all(creating.values()):
        for i, event in list(events.items()):
            errors = [] if creating[event.source] else _unknown_names(event, known)
            if errors:
                results[i] = _rejected(i, event, errors)
                del events[i]

    # Repeats within the batch; repeats of stored events are found inside the transaction.
    candidates: list[tuple[int, Event]] = []
    seen: dict[tuple[str, str], Event] = {}
    for i, event in events.items():
        key = (event.source, event.event_id)
        if key in seen:
            results[i] = repeat(i, event, seen[key])
        else:
            seen[key] = event
            candidates.append((i, event))
            results[i] = ItemResult(i, IngestStatus.STORED, event.event_id)

    result = IngestResult(results)
    if candidates:
        # ``later`` stops clocks computed beside the writes if anything below fails
        with transaction.atomic(), ExitStack() as later:
            stored = _store_new(candidates, results, now, known, user,
                                later if clocks else None)
            if stored:
                result.ticket_ids, histories, by_source, beside = stored
                _ensure_sources(set(by_source), sources, now)
                tickets_changed(result.ticket_ids, now, histories=histories,
                                fresh=histories.keys(), clocks=clocks, beside=beside)
                _plan_rechecks(candidates, results, now)
                _audit(user, sources, by_source, result)
    return result


def _store_new(candidates, results, now, known, user, later=None):
    """Store the candidates that are not stored yet; mark the others duplicates (or
    conflicts) in ``results``. Returns (ticket ids, histories of the tickets created here,
    number stored per source, a ``clocks.Beside`` or None), or None when nothing was new. Given an
    ``ExitStack`` ``later``, on PostgreSQL the clocks of the tickets created here are
    computed meanwhile (a ``Beside``, stopped when ``later`` closes)."""
    postgres = connection.vendor == "postgresql"
    if not postgres:  # SQLite holds the write lock from here on: look them up first
        stored = stored_events(e.key for _, e in candidates)
        for i, event in candidates:
            if event.key in stored:
                results[i] = repeat(i, event, stored[event.key])
        candidates = [(i, e) for i, e in candidates if (e.source, e.event_id) not in stored]
        if not candidates:
            return None
    _create_missing_names([e for _, e in candidates], known, user)
    batch = defaultdict(list)
    for _, event in candidates:
        batch[(event.source, event.ticket_id)].append(event)
    pks, created, ticket_rows = _ticket_pks(batch, known)

    def event_rows():
        rows = [
            (pks[(e.source, e.ticket_id)], e.source, e.event_id, e.timestamp, e.kind,
             e.status, e.priority, e.impact, e.urgency, e.type, e.service, e.customer, e.team,
             e.supplier, e.public, e.payload, now)
            for _, e in candidates
        ]
        return without_null_columns(TicketEvent, _INSERT_COLUMNS, rows)

    names, rows = event_rows()
    beside = None
    if later is not None and created and postgres:
        # All the Python work is done; while PostgreSQL takes the tickets and events, a
        # thread computes the new tickets' clocks.
        read = [(row[0], row[_CUSTOMER], row[_SERVICE], row[_OPENED]) for row in ticket_rows]
        beside = later.enter_context(
            Beside(read, {pk: batch[key] for key, pk in created.items()}, now))
    if ticket_rows and not _insert_tickets(ticket_rows, created, pks):
        if beside is not None:
            beside.cancel()  # someone created some of them meanwhile: no speculation
            beside = None
        names, rows = event_rows()
    if postgres:  # the insert itself tells which events were new (None: all of them)
        new = insert_returning(TicketEvent, names, rows, ("source", "event_id"))
        new = None if new is None else set(new)
    elif not insert_ignoring_conflicts(TicketEvent, names, rows):
        # impossible while this transaction holds SQLite's write lock
        raise IntegrityError("events were stored by another writer meanwhile: send again")
    else:
        new = None
    new_tickets = dict(created)
    if new is None:
        touched, by_source = set(batch), Counter(e.source for _, e in candidates)
    else:
        touched, by_source = set(), Counter()
        stored = stored_events(e.key for _, e in candidates if e.key not in new)
        for i, event in candidates:
            key = (event.source, event.ticket_id)
            if event.key in new:
                touched.add(key)
                by_source[event.source] += 1
            else:
                results[i] = repeat(i, event, stored.get(event.key))
                created.pop(key, None)  # its history in this batch is incomplete
    empty = [pk for key, pk in new_tickets.items() if key not in touched]
    if empty:  # tickets created for events that all turned out to be stored already
        Ticket.objects.filter(pk__in=empty).delete()
    if not touched:
        return None
    histories = {pk: batch[key] for key, pk in created.items() if key in touched}
    return {pks[key] for key in touched}, histories, by_source, beside


def _too_far_ahead(event: Event, now: datetime) -> str:
    ahead = (event.timestamp - now).total_seconds()
    return (f"timestamp: {event.timestamp.isoformat()} is {ahead:.0f} s ahead of the server's "
            f"clock ({now.isoformat()}); at most ACCORD_EVENT_MAX_SKEW = "
            f"{settings.ACCORD_EVENT_MAX_SKEW} s ahead is accepted")


def _plan_rechecks(candidates, results, now: datetime) -> None:
    """Events stamped ahead of ``now`` (within the skew) were left out of the clocks just
    computed: their tickets are recomputed by the worker when the first of them comes."""
    ahead: dict[tuple, datetime] = {}
    for i, event in candidates:
        if event.timestamp > now and results[i].status == IngestStatus.STORED:
            key = (event.source, event.ticket_id)
            ahead[key] = min(ahead.get(key, event.timestamp), event.timestamp)
    for (source, ticket_id), at in ahead.items():
        Ticket.objects.filter(source=source, ticket_id=ticket_id).filter(
            models.Q(recheck_at__isnull=True) | models.Q(recheck_at__gt=at)).update(
            recheck_at=at)


def _parse(item, defaults: Mapping | None) -> Event:
    if isinstance(item, Event):  # built and validated by an importer
        event = item
    else:
        if defaults and (item.__class__ is dict or isinstance(item, Mapping)):
            for key in defaults:
                if item.get(key) is None:
                    item = {**item, **{k: v for k, v in defaults.items() if item.get(k) is None}}
                    break
        try:
            event = Event.from_dict(item)
        except OverflowError:  # an offset takes the instant beyond the years 1-9999
            raise BadValue("timestamp", "out of range (years 1 to 9999 in UTC)") from None
    check_event(event)
    return event


def _error(exc: ValueError) -> dict:
    if isinstance(exc, BadValue):
        return {"field": exc.field, "msg": exc.msg}
    text = str(exc)
    name, sep, msg = text.partition(": ")
    if sep and name in _EVENT_FIELDS:
        return {"field": name, "msg": msg}
    return {"field": None, "msg": text}


def _rejected(index: int, item, errors: list[dict]) -> ItemResult:
    event_id = getattr(item, "event_id", None)
    if isinstance(item, Mapping):
        event_id = item.get("event_id")
    if not isinstance(event_id, str) or text_problem(event_id):
        event_id = None  # not echoed: it is not text we could answer with
    return ItemResult(index, IngestStatus.REJECTED, event_id, errors)


def _known_names(events) -> tuple[dict[str, dict[str, int]], bool]:
    """name -> pk for each catalogue kind, for the names these events use; and whether
    some of those names are unknown."""
    known, unknown = {}, False
    for name, model in CATALOGUE_FIELDS.items():
        wanted = {getattr(e, name) for e in events} - {None, ""}
        known[name] = dict(model.objects.filter(name__in=wanted).values_list("name", "pk")
                           ) if wanted else {}
        unknown = unknown or bool(wanted - known[name].keys())
    return known, unknown


def _unknown_names(event: Event, known) -> list[dict]:
    errors = []
    for name in CATALOGUE_FIELDS:
        value = getattr(event, name)
        if value and value not in known[name]:
            errors.append({"field": name, "msg": f"unknown {name} {value!r}: add it to the "
                           "catalogue first, or import with create_missing"})
    return errors


def _by_source(pairs) -> dict[str, list[str]]:
    grouped = defaultdict(list)
    for source, key in pairs:
        grouped[source].append(key)
    return grouped


def _create_missing_names(events, known, user) -> None:
    """Create the catalogue entries these events name but the catalogue lacks (audited)."""
    for name, model in CATALOGUE_FIELDS.items():
        missing = sorted({getattr(e, name) for e in events} - {None, ""} - known[name].keys())
        if not missing:
            continue
        model.objects.bulk_create([model(name=value) for value in missing],
                                  ignore_conflicts=True)
        created = list(model.objects.filter(name__in=missing))
        known[name].update((obj.name, obj.pk) for obj in created)
        content_type = ContentType.objects.get_for_model(model)
        actor = user.username if user is not None and user.pk else "system"
        AuditEntry.objects.bulk_create([
            AuditEntry(user=user if user is not None and user.pk else None, actor=actor,
                       action=AuditAction.CREATE, content_type=content_type,
                       object_id=str(obj.pk), object_repr=str(obj)[:200],
                       changes={"name": [None, obj.name]},
                       message=f"created by event intake (unknown {name})")
            for obj in created
        ])


_INSERT_COLUMNS = ("ticket", "source", "event_id", "timestamp", "kind", "status", "priority",
                  "impact", "urgency", "type", *CATALOGUE_FIELDS, "public", "payload",
                  "received_at")


_TICKET_INSERT = ("id", "source", "ticket_id", *TICKET_COLUMNS)
_CUSTOMER, _SERVICE, _OPENED = (_TICKET_INSERT.index(name)
                                for name in ("customer", "service", "opened_at"))


def _lookup_tickets(wanted) -> dict:
    found = {}
    for source, ids in _by_source(wanted).items():
        rows = select_in(Ticket, ["ticket_id", "id"], "ticket_id", ids, source=source)
        found.update(((source, ticket_id), pk) for ticket_id, pk in rows)
    return found


def _ticket_pks(batch: dict, known) -> tuple[dict, dict, list]:
    """pk of each (source, ticket_id) of ``batch``, the {key: pk} of the tickets missing,
    and the rows (``_TICKET_INSERT``) that create them from their events in the batch (pks
    allocated up front on PostgreSQL; on SQLite the missing ones are created here)."""
    pks = _lookup_tickets(batch)
    missing = sorted(batch.keys() - pks.keys())
    if not missing:
        return pks, {}, []
    maps = {name: known[name] for name in CATALOGUE_FIELDS}
    rows = [(*key, *ticket_row(Ticket.fold(batch[key]), maps)) for key in missing]
    ids = allocate_ids(Ticket, len(missing))
    if ids is None:  # SQLite: insert now, then look their ids up
        all_new = insert_ignoring_conflicts(Ticket, _TICKET_INSERT[1:], rows)
        created = _lookup_tickets(missing)
        pks.update(created)
        # If someone else created one of them meanwhile, refresh them all from the database.
        return pks, created if all_new else {}, []
    created = dict(zip(missing, ids, strict=True))
    pks.update(created)
    return pks, created, [(pk, *row) for pk, row in zip(ids, rows, strict=True)]


def _insert_tickets(ticket_rows, created, pks) -> bool:
    """PostgreSQL: insert the rows ``_ticket_pks`` made. False if someone else created some
    of these tickets meanwhile: then ``created`` is emptied and ``pks`` refreshed from the
    database (their fields are re-derived from all their events later)."""
    if insert_ignoring_conflicts(Ticket, _TICKET_INSERT, ticket_rows):
        return True
    missing = list(created)
    created.clear()
    pks.update(_lookup_tickets(missing))
    return False


def _ensure_sources(names: set[str], sources: dict[str, Source], now: datetime) -> None:
    for name in sorted(names - sources.keys()):
        sources[name], _ = Source.objects.get_or_create(name=name, defaults={"created_at": now})


def _audit(user, sources, by_source: Counter, result: IngestResult) -> None:
    for name, count in sorted(by_source.items()):
        record_change(user, sources[name], AuditAction.IMPORT, changes={},
                      message=f"{count} events stored ({result.duplicates} duplicates, "
                      f"{result.conflicts} conflicts, {result.rejected} rejected in the "
                      "batch)")
