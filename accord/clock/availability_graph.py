"""Composite availability of a service from the components it depends on.

A dependency graph is a tree of three nodes: ``Leaf("db1")`` is one component,
``Series([...])`` needs every member, ``Redundant([...], k=1)`` needs at least k
of its members. A component may appear in several places.

Two ways to use the tree:

- ``modelled_availability`` predicts availability from each component's availability
  fraction, treating every occurrence of a component as independent: a series is the
  product, a k-of-n group the exact probability that at least k members are up.
- ``measured_outages`` turns recorded component outages into the service's outages
  (exact in time, shared components included), ready for ``availability()``.

Impact rule for measured outages: a series is as impaired as its worst member (the
largest impact); a k-of-n group is as impaired as the k-th least impaired member
(the k-th smallest impact), because the group runs on its k best members. With full
outages this is "down when fewer than k members are up"; a series of n is a group
that needs all n.

A service outage is planned only when planned component work alone explains it:
counting only the planned component outages gives the same impact. An unplanned
failure of the spare while its partner is in planned maintenance is unplanned.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

from .availability import Outage, from_us, max_profile, to_us


@dataclass(frozen=True)
class Leaf:
    """One component, by id."""

    component: str

    def __post_init__(self):
        if not isinstance(self.component, str) or not self.component:
            raise ValueError(f"component must be a non-empty string, got {self.component!r}")

    def components(self) -> frozenset[str]:
        """Ids of all components in this node."""
        return frozenset([self.component])


@dataclass(frozen=True)
class Series:
    """Up only while every member is up."""

    members: tuple

    def __post_init__(self):
        object.__setattr__(self, "members", _members(self.members))

    def components(self) -> frozenset[str]:
        """Ids of all components in this node."""
        return frozenset().union(*(m.components() for m in self.members))


@dataclass(frozen=True)
class Redundant:
    """Up while at least ``k`` of its members are up."""

    members: tuple
    k: int = 1

    def __post_init__(self):
        members = _members(self.members)
        object.__setattr__(self, "members", members)
        if isinstance(self.k, bool) or not isinstance(self.k, int):
            raise TypeError(f"k must be an integer, got {self.k!r}")
        if not 1 <= self.k <= len(members):
            raise ValueError(
                f"k must be between 1 and the number of members ({len(members)}), got {self.k}"
            )

    def components(self) -> frozenset[str]:
        """Ids of all components in this node."""
        return frozenset().union(*(m.components() for m in self.members))


Node = Leaf | Series | Redundant


def _members(members) -> tuple:
    if isinstance(members, Leaf | Series | Redundant | str):
        raise TypeError(f"members must be a list of nodes, got {members!r}")
    members = tuple(members)
    if not members:
        raise ValueError("members must not be empty")
    for i, member in enumerate(members):
        if not isinstance(member, Leaf | Series | Redundant):
            raise TypeError(f"members[{i}] must be a Leaf, Series or Redundant, got {member!r}")
    return members


def modelled_availability(node: Node, availabilities: Mapping[str, float]) -> float:
    """Predicted availability fraction (0..1) of ``node`` from component fractions."""
    return float(_modelled(node, availabilities))


def _modelled(node: Node, availabilities: Mapping[str, float]) -> Fraction:
    if isinstance(node, Leaf):
        if node.component not in availabilities:
            raise ValueError(f"no availability given for component {node.component!r}")
        value = availabilities[node.component]
        name = f"availabilities[{node.component!r}]"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{name} must be a fraction between 0 and 1, got {value!r}")
        if math.isnan(value) or not 0 <= value <= 1:
            raise ValueError(f"{name} must be a fraction between 0 and 1, got {value!r}")
        return Fraction(value)
    ups = [_modelled(m, availabilities) for m in node.members]
    if isinstance(node, Series):
        product = Fraction(1)
        for up in ups:
            product *= up
        return product
    # exactly[j]: probability that exactly j of the members seen so far are up.
    exactly = [Fraction(1)]
    for up in ups:
        down = 1 - up
        exactly = [
            (exactly[j] * down if j < len(exactly) else 0) + (exactly[j - 1] * up if j else 0)
            for j in range(len(exactly) + 1)
        ]
    return sum(exactly[node.k :], Fraction(0))


def measured_outages(
    node: Node,
    outages: Mapping[str, Iterable[Outage]],
    service: str | None = None,
) -> list[Outage]:
    """The outages of ``node`` propagated from its components' recorded outages.

    ``outages`` maps component id to that component's outages; a component with no
    entry had none. The result is sorted, non-overlapping, in UTC, with adjacent
    pieces of equal impact and kind merged; each carries ``component=service``.
    """
    profiles = {}  # component -> [(start_us, end_us, impact, planned impact)]
    for component in sorted(node.components()):
        recorded = list(outages.get(component, ()))
        for i, outage in enumerate(recorded):
            name = f"outages[{component!r}][{i}]"
            if not isinstance(outage, Outage):
                raise TypeError(f"{name} must be an Outage, got {outage!r}")
            if outage.component is not None and outage.component != component:
                raise ValueError(f"{name}.component is {outage.component!r}, not {component!r}")
        profiles[component] = _component_profile(recorded)

    points = sorted({p for segs in profiles.values() for s, e, _, _ in segs for p in (s, e)})
    cursor = dict.fromkeys(profiles, 0)
    result: list[tuple[int, int, float, bool]] = []
    for p, q in pairwise(points):
        state = {}
        for component, segs in profiles.items():
            i = cursor[component]
            while i < len(segs) and segs[i][1] <= p:
                i += 1
            cursor[component] = i
            if i < len(segs) and segs[i][0] <= p:
                state[component] = segs[i][2:]
            else:
                state[component] = (0.0, 0.0)
        impact = _impact(node, state, 0)
        if impact > 0:
            planned = _impact(node, state, 1) == impact
            if result and result[-1][1] == p and result[-1][2:] == (impact, planned):
                result[-1] = (result[-1][0], q, impact, planned)
            else:
                result.append((p, q, impact, planned))
    return [
        Outage(from_us(s), from_us(e), impact=impact, planned=planned, component=service)
        for s, e, impact, planned in result
    ]


def _component_profile(recorded: list[Outage]) -> list[tuple[int, int, float, float]]:
    """Disjoint segments of one component: (start, end, impact, planned-only impact)."""
    items = [(to_us(o.start), to_us(o.end), o.impact, i) for i, o in enumerate(recorded)]
    planned = max_profile(item for item, o in zip(items, recorded, strict=True) if o.planned)
    planned_starts = [s for s, _, _, _ in planned]
    segments = []
    for s, e, impact, _ in max_profile(items):
        # Overall segments never straddle a planned one's edge: their points are a superset.
        i = bisect_right(planned_starts, s) - 1
        covered = i >= 0 and planned[i][1] > s
        segments.append((s, e, impact, planned[i][2] if covered else 0.0))
    return segments


def _impact(node: Node, state: Mapping[str, tuple[float, float]], which: int) -> float:
    if isinstance(node, Leaf):
        return state[node.component][which]
    impacts = sorted(_impact(m, state, which) for m in node.members)
    k = len(impacts) if isinstance(node, Series) else node.k
    return impacts[k - 1]
