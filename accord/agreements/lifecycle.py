"""Lifecycle transitions that fall due on their own, applied by the worker.

Per the agreement's settings: ``auto_lifecycle`` activates an agreed agreement when a signed
version takes effect (``effective_from``) and expires it when the last one ends
(``effective_to``); ``auto_review`` moves an active agreement to under review when its review
falls due (``queries.next_review_due``). Each move is applied once (a compare-and-set on the
status under a row lock, so any number of workers may run it) and is audited, and its
``status_changed_at`` set, at the instant it fell due, not the instant a worker noticed;
never earlier than the agreement's previous status change, so its trail stays in order.
An agreement agreed after its period ended (history signed today) goes active and then
expired at once.
"""

import logging
from datetime import datetime

from django.db import connection, transaction

from accord.lib.errors import DomainError

from .choices import AgreementStatus
from .models import Agreement
from .queries import next_review_due
from .services import transition
from .validation import require_now

log = logging.getLogger("accord.worker")
S = AgreementStatus
MOVING = (S.AGREED, S.ACTIVE, S.UNDER_REVIEW)
REASONS = {S.ACTIVE: "a signed version took effect", S.EXPIRED: "its last version ended",
           S.UNDER_REVIEW: "its review fell due"}


def due_move(agreement: Agreement, now: datetime) -> tuple[str, datetime, datetime] | None:
    """The next move of ``agreement`` due at or before ``now``: (status, the instant it fell
    due, the instant its guard holds at), or None."""
    since = agreement.status_changed_at
    signed = [v for v in agreement.versions.all() if v.is_frozen and v.effective_from]
    if not signed:
        return None
    status = agreement.status
    if status == S.AGREED and agreement.auto_lifecycle:
        starts = []
        for v in signed:
            at = v.effective_from if since is None else max(v.effective_from, since)
            starts.append((at, at) if v.covers(at) else (at, v.effective_from))
        in_force = [(at, guard) for at, guard in starts if at <= now]
        if in_force:
            at, guard = min(in_force)
            return S.ACTIVE, at, guard
        return None
    if status not in (S.ACTIVE, S.UNDER_REVIEW):
        return None
    moves = []
    ends = [v.effective_to for v in signed]
    if agreement.auto_lifecycle and None not in ends and max(ends) <= now:
        end = max(ends)
        moves.append((end if since is None else max(end, since), S.EXPIRED, end))
    if status == S.ACTIVE and agreement.auto_review:
        review = next_review_due(agreement, now)  # None once no version is in force
        if review is not None and review <= now:
            at = review if since is None else max(review, since)
            moves.append((at, S.UNDER_REVIEW, at))
    if not moves:
        return None
    at, to, guard = min(moves)
    return to, at, guard


def apply_due_transitions(now: datetime, *, by=None) -> list[tuple[Agreement, str, str]]:
    """Apply every lifecycle move that has fallen due by ``now`` (several in a row when
    several have: agreed → active → expired). Returns (agreement, from, to) per move."""
    require_now(now)
    moved = []
    candidates = Agreement.objects.filter(status__in=MOVING).filter(
        versions__frozen_at__isnull=False).distinct().prefetch_related("versions")
    for agreement in candidates:
        for _ in range(len(MOVING) + 1):  # at most agreed → active → review → expired
            move = due_move(agreement, now)
            if move is None:
                break
            to, at, guard = move
            frm = agreement.status
            try:
                with transaction.atomic():
                    if not _claim(agreement, frm):
                        break
                    done = transition(agreement, to, by=by, now=at, reason=REASONS[to],
                                      expected=frm, guard_at=guard, due=True)
            except DomainError as exc:  # one odd agreement must not stop the others
                log.warning("%s: %s → %s is due but refused: %s", agreement.reference, frm,
                            to, exc)
                break
            if done is None:
                break
            moved.append((agreement, frm, to))
    return moved


def _claim(agreement: Agreement, status: str) -> bool:
    """Lock the agreement's row if it is still in ``status`` (skipping a row another worker
    holds, where the database can)."""
    rows = Agreement.objects.filter(pk=agreement.pk, status=status)
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    return rows.exists()
