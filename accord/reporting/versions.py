"""The versions of agreements in force during a period, as ``Agreement.version_in_force``
decides: at each instant, the highest-numbered frozen (signed) version whose effective period
contains it. A superseded version whose ``effective_to`` is empty is therefore in force only
until a later version takes effect."""

from datetime import datetime

from accord.agreements.models import AgreementVersion


def in_force_spans(version, versions) -> list[tuple[datetime, datetime | None]]:
    """The spans [lo, hi) (hi None: open-ended) in which ``version`` is the version in force
    (``Agreement.version_in_force``: the highest-numbered frozen version whose effective
    period contains the instant), given the frozen ``versions`` of its agreement. A superseded
    version whose ``effective_to`` is empty ends where a later version takes effect."""
    spans = [(version.effective_from, version.effective_to)]
    for later in versions:
        if later.agreement_id != version.agreement_id or later.number <= version.number:
            continue
        cut_lo, cut_hi = later.effective_from, later.effective_to
        kept = []
        for lo, hi in spans:
            if (cut_hi is not None and cut_hi <= lo) or (hi is not None and hi <= cut_lo):
                kept.append((lo, hi))
                continue
            if lo < cut_lo:
                kept.append((lo, cut_lo))
            if cut_hi is not None and (hi is None or cut_hi < hi):
                kept.append((cut_hi, hi))
        spans = kept
    return spans


def versions_in(agreements, start: datetime, end: datetime) -> list[AgreementVersion]:
    """Frozen versions of these agreements in force at some instant of [start, end), each
    with ``in_force``: the spans of [start, end) in which it was the version in force
    (``Agreement.version_in_force``)."""
    frozen = list(AgreementVersion.objects.filter(
        agreement__in=agreements, frozen_at__isnull=False, effective_from__lt=end)
        .select_related("agreement").order_by("agreement_id", "number"))
    of_agreement: dict[int, list] = {}
    for version in frozen:
        of_agreement.setdefault(version.agreement_id, []).append(version)
    found = []
    for version in frozen:
        spans = []
        for lo, hi in in_force_spans(version, of_agreement[version.agreement_id]):
            lo, hi = max(lo, start), end if hi is None else min(hi, end)
            if lo < hi:
                spans.append((lo, hi))
        if spans:
            version.in_force = spans
            found.append(version)
    return found


def in_force_bounds(version, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The first and last instant of [start, end) in which ``version`` was in force (from
    ``versions_in``'s spans; else its effective period)."""
    spans = getattr(version, "in_force", None)
    if spans is None:
        return (max(start, version.effective_from),
                min(end, version.effective_to) if version.effective_to else end)
    inside = [(max(lo, start), min(hi, end)) for lo, hi in spans if lo < end and hi > start]
    if not inside:
        return start, start
    return min(lo for lo, _ in inside), max(hi for _, hi in inside)
