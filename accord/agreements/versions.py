"""Domain operations on versions: drafts, targets and sign-off.

A draft is edited freely; each edit withdraws the approvals given so far, so nobody signs a
moving target. When a signatory of each party has approved the same content, the version is
frozen: its content is snapshotted and hashed, earlier agreed versions become superseded,
and the agreement moves to agreed (from draft, in negotiation or under review).

Who may approve, and the rule that the two parties are two people: see signatories.py.
"""

from django.db import transaction

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change
from accord.lib.errors import DomainError, InvalidInput

from . import signatories, signoff
from .choices import AgreementStatus, Party, VersionStatus
from .content import content_hash, content_of, target_dict
from .models import Agreement, AgreementVersion, Approval, Target
from .services import transition
from .validation import (
    VERSION_EDITABLE,
    add_year,
    choice,
    clean_target,
    clean_version_fields,
    credit_currency_matches,
    require_now,
    text,
)

TARGET_RELATIONS = ("service", "calendar")
NOT_TERMS = (*TARGET_RELATIONS, "position")


def _editable(version: AgreementVersion) -> AgreementVersion:
    """The version, re-read and locked, if it is still a draft of a live agreement."""
    version = AgreementVersion.objects.select_for_update().select_related("agreement").get(
        pk=version.pk
    )
    if version.is_frozen:
        raise DomainError(
            f"{version} is agreed and frozen: start a new draft version to change it"
        )
    if version.agreement.is_terminal:
        raise DomainError(f"{version.agreement.reference} is {version.agreement.status}")
    return version


def _withdraw_approvals(version: AgreementVersion, now, why: str) -> int:
    return version.approvals.filter(invalidated_at__isnull=True).update(
        invalidated_at=now, invalidated_reason=why[:200]
    )


def _changed(version, by, now, changes: dict, message: str, action=AuditAction.UPDATE) -> None:
    withdrawn = _withdraw_approvals(version, now, f"draft changed: {message}")
    if withdrawn:
        message += f"; {withdrawn} approval(s) withdrawn"
    record_change(by, version, action, changes=changes, message=message)


@transaction.atomic
def new_draft_version(agreement: Agreement, *, by, now, **fields) -> AgreementVersion:
    """Version n+1 as a draft: a copy of the latest version's text and targets (dates are
    the new version's own: pass them in ``fields``)."""
    require_now(now)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.is_terminal:
        raise DomainError(f"{agreement.reference} is {agreement.status}: no new versions")
    draft = agreement.draft_version()
    if draft is not None:
        raise DomainError(f"{draft} is already a draft: edit it instead")
    latest = agreement.latest_version()
    values = {"text": latest.text if latest else ""}
    values.update(clean_version_fields(fields, current={}))
    version = AgreementVersion.objects.create(
        agreement=agreement, number=(latest.number + 1) if latest else 1,
        created_at=now, created_by=by, **values,
    )
    if latest is not None:
        Target.objects.bulk_create([
            Target(version=version, **{
                f.name: getattr(t, f.name) for f in Target._meta.concrete_fields
                if f.name not in ("id", "version")
            })
            for t in latest.targets.all()
        ])
    record_change(by, version, AuditAction.CREATE,
                  message=f"new draft, copied from {latest}" if latest else "new draft")
    return version


@transaction.atomic
def update_version(version: AgreementVersion, *, by, now, **changes) -> AgreementVersion:
    """Change a draft's text and dates."""
    require_now(now)
    version = _editable(version)
    current = {name: getattr(version, name) for name in VERSION_EDITABLE}
    clean = clean_version_fields(changes, current)
    diff = {k: [current[k], v] for k, v in clean.items() if current[k] != v}
    if diff:
        for name, value in clean.items():
            setattr(version, name, value)
        version.save()
        _changed(version, by, now, diff, "version edited")
    return version


@transaction.atomic
def delete_draft_version(version: AgreementVersion, *, by, now) -> None:
    require_now(now)
    version = _editable(version)
    if version.agreement.versions.count() == 1:
        raise DomainError("an agreement keeps its first version; terminate the agreement instead")
    # Recorded on the agreement, whose history outlives the discarded draft.
    record_change(by, version.agreement, AuditAction.UPDATE,
                  changes={"draft_version": [version.number, None]},
                  message=f"draft {version} discarded")
    version.approvals.all().delete()
    version.delete()


def _clean_relations(version: AgreementVersion, values: dict) -> dict:
    out = {}
    if "calendar" in values:
        out["calendar"] = values["calendar"]
    if "service" in values:
        service = values["service"]
        covered = list(version.agreement.services.all())
        if service is not None and covered and service not in covered:
            names = ", ".join(s.name for s in covered)
            raise InvalidInput(
                f"{service} is not a service of {version.agreement.reference} ({names})",
                "service",
            )
        out["service"] = service
    return out


def _check_unique_key(version: AgreementVersion, target: Target) -> None:
    clash = version.targets.exclude(pk=target.pk).filter(
        metric=target.metric, service=target.service, ticket_type=target.ticket_type,
        priority=target.priority, measure=target.measure,
    ).first()
    if clash is not None:
        raise InvalidInput(
            f"{version} already has a target for {clash.describe_key()} (#{clash.pk})", "metric"
        )


@transaction.atomic
def add_target(version: AgreementVersion, *, by, now, **values) -> Target:
    """A new target in a draft; ``service`` and ``calendar`` are objects (or None)."""
    require_now(now)
    version = _editable(version)
    relations = _clean_relations(version, values)
    plain = clean_target({k: v for k, v in values.items() if k not in NOT_TERMS})
    position = values.get("position")
    if position is None:
        position = version.targets.count()
    credit_currency_matches(version.agreement, plain["credit_currency"], "credit_currency")
    target = Target(version=version, position=position, **plain, **relations)
    _check_unique_key(version, target)
    target.save()
    _changed(version, by, now, {"target": [None, target_dict(target)]},
             f"target #{target.pk} {target} added", AuditAction.CREATE)
    return target


@transaction.atomic
def update_target(target: Target, *, by, now, **changes) -> Target:
    require_now(now)
    version = _editable(target.version)
    target = Target.objects.get(pk=target.pk)
    before = {**target_dict(target), "position": target.position}
    merged = {k: v for k, v in before.items() if k not in NOT_TERMS}
    merged.update({k: v for k, v in changes.items() if k not in NOT_TERMS})
    clean = clean_target(merged)
    credit_currency_matches(version.agreement, clean["credit_currency"], "credit_currency")
    for name, value in {**clean, **_clean_relations(version, changes)}.items():
        setattr(target, name, value)
    if changes.get("position") is not None:
        target.position = changes["position"]
    _check_unique_key(version, target)
    after = {**target_dict(target), "position": target.position}
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if diff:
        target.save()
        _changed(version, by, now, {f"target.{k}": v for k, v in diff.items()},
                 f"target #{target.pk} {target} changed")
    return target


@transaction.atomic
def delete_target(target: Target, *, by, now) -> None:
    require_now(now)
    version = _editable(target.version)
    _changed(version, by, now, {"target": [target_dict(target), None]},
             f"target #{target.pk} {target} removed", AuditAction.DELETE)
    target.delete()


@transaction.atomic
def approve(version: AgreementVersion, *, party: str, by, now, comment: str = "",
            on_behalf_of_contact=None, evidence: str = "") -> Approval:
    """Record one party's approval of a draft; freezes it once both parties approved it.
    ``on_behalf_of_contact`` (a user or id) and ``evidence``: a provider SLM records that
    counterparty contact's signature on their behalf (see signatories)."""
    require_now(now)
    choice(party, "party", Party)
    comment = text(comment, "comment", 2000)
    version = _editable(version)
    who = signatories.signer(version, party, by, contact=on_behalf_of_contact,
                             evidence=evidence)
    signatories.check_two_people(version, party, who)
    if version.effective_from is None:
        raise DomainError(f"{version} has no effective_from: set it before signing",
                          field="effective_from")
    if not version.targets.exists():
        raise DomainError(f"{version} has no targets: add them before signing")
    if version.review_due is None:
        update_version(version, by=by, now=now, review_due=add_year(version.effective_from))
        version.refresh_from_db()
    digest = content_hash(content_of(version))
    valid = version.approvals.filter(invalidated_at__isnull=True, content_hash=digest)
    if valid.filter(party=party).exists():
        raise DomainError(f"{version} is already approved by the {party}", field="party")
    approval = Approval.objects.create(
        version=version, party=party, user=by, signatory=who.name, signatory_user=who.user,
        on_behalf=who.on_behalf, evidence=who.evidence, comment=comment, at=now,
        content_hash=digest,
    )
    how = (f", recorded on their behalf by {by} (evidence: {who.evidence})"
           if who.on_behalf else "")
    record_change(by, version, AuditAction.APPROVE,
                  changes={"approval": [None, {
                      "party": party, "signatory": who.name, "signatory_user": who.user.pk,
                      "on_behalf": who.on_behalf, "evidence": who.evidence}]},
                  message=f"approved as {party} by {who.name}{how}. {comment}".strip())
    if set(valid.values_list("party", flat=True)) == set(Party.values):
        _freeze(version, by, now, digest)
    return approval


def _freeze(version: AgreementVersion, by, now, digest: str) -> None:
    signoff.run(version, by, now)  # e.g. planning's OLA/UC fit (needs an acknowledgement)
    content = content_of(version)
    if content_hash(content) != digest:
        raise DomainError(f"{version} changed while it was being signed; approve it again")
    version.content, version.content_hash = content, digest
    version.status, version.frozen_at = VersionStatus.AGREED, now
    version.save()
    superseded = AgreementVersion.objects.filter(
        agreement=version.agreement, status=VersionStatus.AGREED, number__lt=version.number
    )
    numbers = list(superseded.values_list("number", flat=True))
    superseded.update(status=VersionStatus.SUPERSEDED)
    signers = "; ".join(
        f"{a.signatory} ({a.party})" for a in version.approvals.filter(invalidated_at=None)
    )
    record_change(by, version, AuditAction.TRANSITION,
                  changes={"status": [VersionStatus.DRAFT, VersionStatus.AGREED]},
                  message=f"agreed and frozen, signed by {signers}"
                  + (f"; supersedes v{', v'.join(map(str, numbers))}" if numbers else ""))
    agreement = version.agreement
    if agreement.status in (AgreementStatus.DRAFT, AgreementStatus.IN_NEGOTIATION,
                            AgreementStatus.UNDER_REVIEW):
        transition(agreement, AgreementStatus.AGREED, by=by, now=now,
                   reason=f"{version} signed by both parties")
