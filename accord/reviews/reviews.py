"""Reviews: scheduled, opened (the compliance report frozen into it), held (minutes,
attendees, decisions, per-target verdicts applied to the agreement's draft version) and closed
(read-only; corrections are new decisions). Every change is audited."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change, snapshot
from accord.agreements import queries as agreement_queries
from accord.agreements import versions
from accord.agreements.models import Target
from accord.lib.errors import DomainError, Forbidden, InvalidInput
from accord.reporting.compliance import compliance_report
from accord.reporting.periods import Period

from .choices import ReviewKind, ReviewStatus, Verdict
from .models import Decision, Review, TargetVerdict

PARTIES = ("provider", "customer", "supplier", "team", "other")


def visible_reviews(user):
    agreements = agreement_queries.visible_to(user)
    return Review.objects.filter(agreement_id__in=agreements.values("pk")).select_related(
        "agreement", "agreement__calendar", "agreement__customer", "agreement__owner")


def _period(agreement, kind: str, period: str) -> str:
    text = (period or "").strip()
    if kind == ReviewKind.AGREEMENT:
        if not text:
            raise InvalidInput("period is required: the version reviewed, e.g. v2", "period")
        return text[:16]
    try:
        return Period.parse(text, tz=agreement.reporting_zone).label
    except Exception:
        raise InvalidInput(f"period must be a month (2025-03), quarter (2025-Q1) or year "
                           f"(2025), got {text!r}", "period")


def schedule(*, agreement, kind: str, period: str, due: date, by, now) -> Review:
    if kind not in ReviewKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(ReviewKind.values)}", "kind")
    if due is None:
        raise InvalidInput("due is required", "due")
    label = _period(agreement, kind, period)
    try:
        with transaction.atomic():
            review = Review.objects.create(agreement=agreement, kind=kind, period=label,
                                           due=due, created_at=now)
            record_change(by, review, AuditAction.CREATE, message="review scheduled")
    except IntegrityError:
        raise DomainError(f"{agreement.reference} already has a {kind} review of {label}",
                          "period")
    return review


def figures_period(review: Review, now) -> Period:
    """The period whose figures a review freezes: its own (performance), else the last
    complete quarter before it is opened (agreement review)."""
    zone = review.agreement.reporting_zone
    if review.kind == ReviewKind.PERFORMANCE:
        return Period.parse(review.period, tz=zone)
    return Period.containing("quarter", now, tz=zone).shift(-1)


def current_figures(review: Review, now) -> dict:
    return compliance_report(review.agreement, figures_period(review, now), now=now)


def _comparable(figures: dict | None) -> tuple:
    if not figures:
        return ()
    rows = [{k: v for k, v in row.items()} for row in figures.get("targets", [])]
    return (rows, figures.get("availability"), figures.get("credits_total"))


def figures_differ(review: Review, now) -> bool | None:
    """Whether today's figures of the frozen period differ from those frozen (None: nothing
    frozen yet)."""
    if review.figures is None:
        return None
    return _comparable(review.figures) != _comparable(current_figures(review, now))


def _require_live(review: Review) -> None:
    if review.is_closed:
        raise DomainError(f"review {review.pk} is {review.status}: it is read-only "
                          f"(corrections are new decisions)", "status")


def open_review(review: Review, *, by, now) -> Review:
    """Freeze the compliance report into the review: later recomputes do not change it."""
    if review.status != ReviewStatus.SCHEDULED:
        raise DomainError(f"review {review.pk} is {review.status}, not scheduled", "status")
    figures = current_figures(review, now)
    with transaction.atomic():
        won = Review.objects.filter(pk=review.pk, status=ReviewStatus.SCHEDULED).update(
            status=ReviewStatus.OPEN, figures=figures, figures_at=now, opened_by=by)
        if won != 1:
            raise DomainError(f"review {review.pk} was opened meanwhile", "status")
        review.refresh_from_db()
        record_change(by, review, AuditAction.TRANSITION,
                      changes={"status": [ReviewStatus.SCHEDULED, ReviewStatus.OPEN]},
                      message=f"review opened; figures of {figures['period_label']} frozen")
    return review


def _attendees(value) -> list:
    if not isinstance(value, list):
        raise InvalidInput("attendees must be a list of {name, party}", "attendees")
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            item = {"name": item, "party": "provider"}
        if not isinstance(item, dict) or not str(item.get("name", "")).strip():
            raise InvalidInput("each attendee needs a name", f"attendees.{i}")
        party = item.get("party") or "provider"
        if party not in PARTIES:
            raise InvalidInput(f"party must be one of {', '.join(PARTIES)}",
                               f"attendees.{i}.party")
        out.append({"name": str(item["name"]).strip()[:150], "party": party})
    return out


EDITABLE = {"held_on", "attendees", "minutes", "due"}


def update_review(review: Review, *, by, values: dict, now) -> Review:
    _require_live(review)
    unknown = set(values) - EDITABLE
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"{name} cannot be changed here", name)
    if "due" in values and not by.can("run_reviews"):
        raise Forbidden("only a service level manager may move a review")
    before = snapshot(review)
    if "minutes" in values:
        review.minutes = (values["minutes"] or "").strip()
    if "attendees" in values:
        review.attendees = _attendees(values["attendees"])
    if "held_on" in values:
        review.held_on = values["held_on"]
    if "due" in values:
        if values["due"] is None:
            raise InvalidInput("due cannot be empty", "due")
        review.due = values["due"]
    with transaction.atomic():
        review.save()
        record_change(by, review, AuditAction.UPDATE, before=before, after=snapshot(review))
    return review


def add_decision(review: Review, *, by, who: str, what: str, decided_on: date | None,
                 corrects: int | None = None, now) -> Decision:
    """Record a decision; on a closed review only a correction of an earlier decision."""
    who, what = (who or "").strip(), (what or "").strip()
    if not who:
        raise InvalidInput("who is required: who decided", "who")
    if not what:
        raise InvalidInput("what is required: what was decided", "what")
    corrected = None
    if corrects is not None:
        corrected = review.decisions.filter(pk=corrects).first()
        if corrected is None:
            raise InvalidInput(f"review {review.pk} has no decision {corrects}", "corrects")
    elif review.is_closed:
        raise DomainError(f"review {review.pk} is closed: add a correction (corrects) "
                          f"instead", "status")
    with transaction.atomic():
        decision = Decision.objects.create(review=review, who=who[:150], what=what,
                                           decided_on=decided_on or now.date(),
                                           corrects=corrected, recorded_by=by, recorded_at=now)
        record_change(by, decision, AuditAction.CREATE,
                      message=f"correction of decision {corrects}" if corrected else
                      "decision recorded")
    return decision


def _number(value, name: str):
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"{name} must be a number", name)


def draft_of(agreement, *, by, now):
    """The agreement's one draft version, created (a copy of the latest) if there is none."""
    return agreement.draft_version() or versions.new_draft_version(agreement, by=by, now=now)


def record_verdict(review: Review, *, by, target_id: int, verdict: str,
                   objective_percent=None, duration_seconds=None, note: str = "",
                   now) -> TargetVerdict:
    """Keep, tighten, relax or retire one of the agreement's targets; anything but keep is
    applied to the matching target (same key) of the agreement's draft version."""
    _require_live(review)
    if verdict not in Verdict.values:
        raise InvalidInput(f"verdict must be one of {', '.join(Verdict.values)}", "verdict")
    target = Target.objects.select_related("version").filter(
        pk=target_id, version__agreement_id=review.agreement_id).first()
    if target is None:
        raise InvalidInput(f"{review.agreement.reference} has no target {target_id}", "target")
    objective = _number(objective_percent, "objective_percent")
    if duration_seconds is not None and (not isinstance(duration_seconds, int)
                                         or duration_seconds <= 0):
        raise InvalidInput("duration_seconds must be a positive whole number",
                           "duration_seconds")
    changes = {}
    if verdict in (Verdict.TIGHTEN, Verdict.RELAX):
        if objective is None and duration_seconds is None:
            raise InvalidInput(f"{verdict} needs a new objective_percent or duration_seconds",
                               "objective_percent")
        stricter = verdict == Verdict.TIGHTEN
        current_objective = Decimal(target.objective_percent or 100)
        if objective is not None:
            if (objective > current_objective) != stricter or objective == current_objective:
                raise InvalidInput(f"to {verdict}, objective_percent must be "
                                   f"{'above' if stricter else 'below'} {current_objective}",
                                   "objective_percent")
            changes["objective_percent"] = objective
        if duration_seconds is not None:
            current = target.duration_seconds or 0
            if (duration_seconds < current) != stricter or duration_seconds == current:
                raise InvalidInput(f"to {verdict}, duration_seconds must be "
                                   f"{'below' if stricter else 'above'} {current}",
                                   "duration_seconds")
            changes["duration_seconds"] = duration_seconds
    with transaction.atomic():
        draft = None
        if verdict != Verdict.KEEP:
            draft = draft_of(review.agreement, by=by, now=now)
            twin = draft.targets.filter(metric=target.metric, service_id=target.service_id,
                                        ticket_type=target.ticket_type,
                                        priority=target.priority).first()
            if twin is None:
                raise DomainError(f"{draft} has no target {target.describe_key()} any more",
                                  "target")
            if verdict == Verdict.RETIRE:
                versions.delete_target(twin, by=by, now=now)
            else:
                versions.update_target(twin, by=by, now=now, **changes)
        found = TargetVerdict.objects.create(
            review=review, target=target, verdict=verdict, objective_percent=objective,
            duration_seconds=duration_seconds, note=note or "", draft=draft, recorded_by=by,
            recorded_at=now)
        record_change(by, found, AuditAction.CREATE,
                      message=f"verdict {verdict} on {target}" +
                      (f", applied to {draft}" if draft else ""))
    return found


def close_review(review: Review, *, by, now) -> Review:
    """Close an open review: it needs minutes and at least one decision."""
    if review.status != ReviewStatus.OPEN:
        raise DomainError(f"review {review.pk} is {review.status}: only an open review "
                          f"(figures frozen) can be closed", "status")
    if not review.minutes.strip():
        raise InvalidInput("minutes are required to close a review", "minutes")
    if not review.decisions.exists():
        raise InvalidInput("at least one decision is required to close a review", "decisions")
    with transaction.atomic():
        won = Review.objects.filter(pk=review.pk, status=ReviewStatus.OPEN).update(
            status=ReviewStatus.CLOSED, closed_by=by, closed_at=now,
            held_on=review.held_on or now.date())
        if won != 1:
            raise DomainError(f"review {review.pk} was closed meanwhile", "status")
        review.refresh_from_db()
        if review.kind == ReviewKind.AGREEMENT:
            agreement = review.agreement
            before = agreement.last_reviewed_at
            type(agreement).objects.filter(pk=agreement.pk).update(last_reviewed_at=now)
            record_change(by, agreement, AuditAction.UPDATE,
                          changes={"last_reviewed_at": [before, now]},
                          message=f"agreement reviewed (review {review.pk})")
        record_change(by, review, AuditAction.TRANSITION,
                      changes={"status": [ReviewStatus.OPEN, ReviewStatus.CLOSED]},
                      message="review closed")
    return review
