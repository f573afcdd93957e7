"""Multi-level SLAs: the targets that apply to an agreement, inherited and overridden.

A service-level SLA inherits the targets of its customer level and of the corporate level
above it, each taken from the version in force at the given instant. A target is identified
by its key (metric + service + ticket type + priority); the same key at an inner level
overrides the outer one. Inside a service-scoped SLA "any service" means its own service, so
an outer target for that service and an inner target without a service share a key, and
outer targets for other services do not apply.
"""

from dataclasses import dataclass

from django.db.models import prefetch_related_objects

from .choices import Metric
from .models import Agreement, AgreementVersion, Target
from .validation import require_now

_METRIC_ORDER = {metric: i for i, metric in enumerate(Metric.values)}


@dataclass(frozen=True)
class EffectiveTarget:
    target: Target
    agreement: Agreement  # where the target is defined
    version: AgreementVersion
    inherited: bool  # defined at an outer level
    overrides: tuple[Target, ...] = ()  # outer targets it replaces, innermost first

    @property
    def key(self) -> tuple:
        return self.target.key


def effective_targets(subject: Agreement | AgreementVersion, at) -> list[EffectiveTarget]:
    """The merged targets of an agreement (its version in force at ``at``) or of one given
    version (e.g. a draft under negotiation), with the outer levels' versions in force at
    ``at``. An agreement with no version in force has no effective targets."""
    require_now(at)
    if isinstance(subject, AgreementVersion):
        agreement, version = subject.agreement, subject
    else:
        agreement, version = subject, subject.version_in_force(at)
        if version is None:
            return []
    chain = _chain(agreement, version, at)
    return _merge(agreement, chain, agreement.single_service(),
                  lambda v: v.targets.select_related("service", "calendar"))


def effective_targets_many(versions_at) -> list[list[EffectiveTarget]]:
    """``effective_targets(version, at)`` of each (version, at) pair, the same lists, with the
    targets of every version involved read in one query (reports and ``/metrics`` ask for
    many versions at once)."""
    versions_at = list(versions_at)
    outers, owns = {}, {}
    for version, at in versions_at:
        require_now(at)
        agreement = version.agreement
        if agreement.pk not in owns:
            owns[agreement.pk] = agreement.single_service()
            outers[agreement.pk] = agreement.ancestors()
    # One instance per outer level, their versions read in one query.
    shared = {outer.pk: outer for levels in outers.values() for outer in levels}
    if shared:
        prefetch_related_objects(list(shared.values()), "versions")
    chains = [(version.agreement, _chain(version.agreement, version, at, [
        shared[outer.pk] for outer in outers[version.agreement.pk]]))
        for version, at in versions_at]
    ids = {v.pk for _, chain in chains for _, v in chain}
    by_version: dict[int, list[Target]] = {pk: [] for pk in ids}
    for target in (Target.objects.filter(version_id__in=ids)
                   .select_related("service", "calendar").order_by("position", "id")):
        by_version[target.version_id].append(target)
    return [_merge(agreement, chain, owns[agreement.pk], lambda v: by_version[v.pk])
            for agreement, chain in chains]


def _chain(agreement, version, at, ancestors=None) -> list[tuple]:
    """(agreement, version) of the level itself, then of each outer level with a version in
    force at ``at``, innermost first (``ancestors``: the agreement's, if already read)."""
    chain = [(agreement, version)]
    for outer in agreement.ancestors() if ancestors is None else ancestors:
        outer_version = outer.version_in_force(at)
        if outer_version is not None:
            chain.append((outer, outer_version))
    return chain


def _merge(agreement, chain, own, targets_of) -> list[EffectiveTarget]:
    merged: dict[tuple, EffectiveTarget] = {}
    for source, source_version in reversed(chain):  # outermost first; inner levels override
        for target in targets_of(source_version):
            if own is not None and target.service_id not in (None, own.pk):
                continue  # about another service
            key = (target.metric, target.service_id or (own.pk if own else None),
                   target.ticket_type, target.priority)
            if target.metric == "experience":  # experience targets differ by measure too
                key += (target.measure,)
            replaced = merged.get(key)
            merged[key] = EffectiveTarget(
                target=target, agreement=source, version=source_version,
                inherited=source.pk != agreement.pk,
                overrides=((replaced.target, *replaced.overrides) if replaced else ()),
            )
    return sorted(merged.values(), key=lambda e: (
        _METRIC_ORDER[e.target.metric], e.target.ticket_type, e.target.priority,
        e.target.position,
    ))
