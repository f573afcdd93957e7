"""The one aggregation over clock rows, with two backends that must agree exactly.

When a clock counts (issue "Compliance — one definition"): once, in the period in which its
outcome became certain —

- a met clock at its ``stopped_at``;
- a breached clock at ``breached_at``;
- a running clock whose stored row is older than its due instant, once that instant has
  passed (``computed_at < due_at <= now``), as breached at ``due_at``: figures are as of the
  request, never as of the last write;
- a clock closed because its agreement ended (``ended``) at its ``stopped_at``, counted apart;
- a cancelled clock never.

A clock that started before a bucket's end and whose outcome was not certain by then is
**open** for that bucket.

``stored.sql_aggregate`` runs this as GROUP BY queries on the stored clock table;
``memory.memory_aggregate`` runs it over in-memory ``ClockRow``s (from the engine, for the
what-if replay). Both return an ``Aggregate``: counts per (target, version, bucket), breaches per
(bucket, kind, metric, priority), breached business time per (target, version, bucket,
holder) and the number of breaches whose largest share a holder held.
"""

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from accord.measurement.choices import ClockState, ExclusionStatus
from accord.measurement.models import BreachInvestigation, Clock

MET, BREACHED, ENDED, OPEN = "met", "breached", "ended", "open"
EXCLUDED = "excluded"  # approved exclusions among the breached (counted in BREACHED too)
UNASSIGNED = "unassigned"
PERCENTILE_METRICS = ("response", "resolution")  # the KPIs' duration percentiles
FRACTIONS = (0.5, 0.9)


class ClockRow(NamedTuple):
    """What the aggregation reads of one clock (a stored ``Clock`` or an engine result). A
    named tuple: a replay makes millions of them."""

    target_id: int
    version_id: int
    agreement_id: int
    kind: str
    metric: str
    state: str
    started_at: datetime
    stopped_at: datetime | None
    due_at: datetime | None
    breached_at: datetime | None
    computed_at: datetime
    elapsed_seconds: float
    target_seconds: float
    priority: str = ""  # the ticket's priority
    attribution: dict | None = None  # business seconds per holder
    excluded: bool = False  # an approved breach exclusion annotates this clock
    party: str = ""  # the responsible party a person confirmed (breach investigation)

    @classmethod
    def from_clock(cls, clock: Clock, excluded: bool | None = None,
                   party: str | None = None) -> "ClockRow":
        if excluded is None:
            excluded = clock.exclusions.filter(status=ExclusionStatus.APPROVED).exists()
        if party is None:
            party = (BreachInvestigation.objects.filter(clock=clock)
                     .values_list("party", flat=True).first() or "")
        return cls(clock.target_id, clock.version_id, clock.agreement_id, clock.kind,
                   clock.metric, clock.state, clock.started_at, clock.stopped_at,
                   clock.due_at, clock.breached_at, clock.computed_at, clock.elapsed_seconds,
                   clock.target_seconds, clock.ticket.priority, dict(clock.attribution or {}),
                   excluded, party)


def rows_from_computed(clock_tuples, priorities: dict | None = None) -> list[ClockRow]:
    """``ClockRow``s from ``measurement.clocks`` rows (``CLOCK_COLUMNS`` tuples, what
    ``compute_chunk``/``rows_of`` return without storing): the engine's clocks of a replay.
    ``priorities`` maps ticket pks to the ticket's priority."""
    from accord.measurement.clocks import CLOCK_COLUMNS

    at = {name: i for i, name in enumerate(CLOCK_COLUMNS)}
    priorities = priorities or {}
    out = []
    for t in clock_tuples:
        attribution = t[at["attribution"]]
        out.append(ClockRow(
            t[at["target"]], t[at["version"]], t[at["agreement"]], t[at["kind"]],
            t[at["metric"]], t[at["state"]], t[at["started_at"]], t[at["stopped_at"]],
            t[at["due_at"]], t[at["breached_at"]], t[at["computed_at"]],
            t[at["elapsed_seconds"]], t[at["target_seconds"]],
            priorities.get(t[at["ticket"]], ""),
            json.loads(attribution) if isinstance(attribution, str) else attribution))
    return out


@dataclass
class Aggregate:
    """Counts per (target_id, version_id, bucket) -> {met, breached, ended, open};
    ``breaches`` per (bucket, kind, metric, priority); ``held`` breached business seconds per
    (target_id, version_id, bucket, holder); ``top`` breaches per (bucket, holder) whose
    largest share of business time that holder held."""

    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    breaches: Counter = field(default_factory=Counter)
    held: dict = field(default_factory=lambda: defaultdict(float))
    top: Counter = field(default_factory=Counter)
    percentiles: dict = field(default_factory=dict)  # metric -> (p50, p90) business seconds
    # Breaches whose responsible party a person confirmed: per (bucket, party), and the same
    # breaches per (bucket, largest holder), which the confirmed party replaces in the KPIs.
    confirmed: Counter = field(default_factory=Counter)
    confirmed_top: Counter = field(default_factory=Counter)
    # The business seconds behind ``percentiles`` (in-memory backend only): what lets the
    # aggregates of parts of the clocks be merged (``merged``).
    durations: dict = field(default_factory=dict)

    @classmethod
    def merged(cls, parts: Iterable["Aggregate"]) -> "Aggregate":
        """One aggregate of several ``memory_aggregate`` results over disjoint clocks and
        the same buckets (the what-if replay's chunks and processes): the sums, and the
        percentiles of all the durations together."""
        out = cls()
        durations: dict[str, list[float]] = defaultdict(list)
        for part in parts:
            for key, counts in part.counts.items():
                out.counts[key].update(counts)
            for name in ("breaches", "top", "confirmed", "confirmed_top"):
                getattr(out, name).update(getattr(part, name))
            for key, seconds in part.held.items():
                out.held[key] += seconds
            for metric, values in part.durations.items():
                durations[metric].extend(values)
        out.durations = dict(durations)
        for metric, values in durations.items():
            out.percentiles[metric] = tuple(percentile(values, p) for p in FRACTIONS)
        return out

    def normalised(self) -> tuple:
        """Comparable form (tests hold the two backends equal with it)."""
        return ({k: {o: n for o, n in v.items() if n} for k, v in self.counts.items()
                 if any(v.values())},
                {k: n for k, n in self.breaches.items() if n},
                {k: round(s, 6) for k, s in self.held.items()},
                {k: n for k, n in self.top.items() if n},
                {k: tuple(round(v, 6) for v in pair) for k, pair in self.percentiles.items()},
                {k: n for k, n in self.confirmed.items() if n},
                {k: n for k, n in self.confirmed_top.items() if n})


def outcome_of(row, now: datetime) -> tuple[str, datetime] | None:
    """(outcome, instant it became certain) of one clock as of ``now``, or None if open or
    cancelled."""
    if row.state == ClockState.MET:
        return (MET, row.stopped_at) if row.stopped_at is not None else None
    if row.state == ClockState.BREACHED:
        return (BREACHED, row.breached_at) if row.breached_at is not None else None
    if row.state == ClockState.ENDED:
        # It breached before its agreement ended: that outcome was certain first.
        if row.breached_at is not None:
            return BREACHED, row.breached_at
        return (ENDED, row.stopped_at) if row.stopped_at is not None else None
    if (row.state == ClockState.RUNNING and row.due_at is not None and row.due_at <= now
            and row.computed_at < row.due_at):
        return BREACHED, row.due_at
    return None


def top_holder(attribution: dict) -> str:
    """The holder with the largest share of business time ("unassigned" if none)."""
    shares = [(seconds, holder) for holder, seconds in (attribution or {}).items() if seconds]
    if not shares:
        return UNASSIGNED
    best = max(seconds for seconds, _ in shares)
    return min(holder for seconds, holder in shares if seconds == best)




def seconds_of(row) -> float:
    return row.target_seconds if row.state == ClockState.RUNNING else row.elapsed_seconds


def percentile(values: list[float], p: float) -> float | None:
    """percentile_cont over a list (the same definition as the database's)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = p * (len(ordered) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (pos - lo) * (ordered[hi] - ordered[lo])
