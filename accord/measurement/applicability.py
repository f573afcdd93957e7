"""Which targets apply to a ticket, as clock definitions for the engine.

The agreements in force at the ticket's start decide: the SLAs covering its customer and
service (multi-level inheritance through ``effective_targets``), the OLAs of every team that
held the ticket and the UCs of every supplier that held it. Only duration metrics are clocks.
Each target's own scope (service, type, priority) is the definition's ``applies``, so the
engine moves a ticket between targets when its priority changes.

An OLA clock measures one team's share: it pauses while another team holds the ticket or
while a supplier has it (``holder_of``: a supplier outranks the team). A UC clock pauses
while its supplier does not hold the ticket. Both start with the ticket, so their elapsed
time is the holder's business time only.

One ``Applicability`` serves a whole recompute run: lookups are cached by (party, interval
between version boundaries), definitions by (target, customer, service), and the applied
list itself by everything it depends on, so alike tickets share one list.
"""

from bisect import bisect_right
from dataclasses import dataclass

from accord.agreements.calendars import explain_calendar
from accord.agreements.choices import AgreementKind
from accord.agreements.engine import clock_definition
from accord.agreements.inheritance import effective_targets
from accord.agreements.models import Agreement, AgreementVersion
from accord.agreements.queries import MEASURED, agreements_covering, coverage_ends
from accord.catalogue.models import Customer, Service, Supplier, Team
from accord.clock import TargetDefinition


@dataclass(frozen=True, slots=True)
class Applied:
    """A target applied to a ticket: the engine's definition plus where it comes from."""

    definition: TargetDefinition
    target_id: int
    agreement_id: int
    version_id: int
    kind: str
    metric: str
    holder: str
    calendar_id: int | None
    calendar_version: int


def _holder_pause(definition: TargetDefinition, role: str, name: str) -> TargetDefinition:
    """``definition`` paused whenever ``name`` (a team or supplier) does not hold the ticket."""
    mine = {"field": role, "equals": name}
    away = [{"not": mine}]
    if role == "team":
        away.append({"field": "supplier", "set": True})
    pause = {"any": [definition.pause.to_json(), *away]}
    d = definition.to_dict()
    d.update(id=f"{definition.id}:{role}:{name}", calendar=definition.calendar, pause=pause,
             resume={"not": pause})
    return TargetDefinition.from_dict(d)


class Applicability:
    """Finds and caches the applied targets of tickets for one run."""

    def __init__(self):
        bounds = set()
        for start, end in AgreementVersion.objects.filter(frozen_at__isnull=False).values_list(
                "effective_from", "effective_to"):
            bounds.update(b for b in (start, end) if b is not None)
        # Agreement id -> the instant it ended (no signed version in force any more).
        self.ends = coverage_ends()
        self._bounds = sorted(bounds | {end for end in self.ends.values()})
        # Teams and suppliers with a live OLA or UC at all: the others need no lookup.
        self._parties = {AgreementKind.OLA: set(), AgreementKind.UC: set()}
        self.teams: dict[str, int] = {}  # name -> id of those teams
        self.suppliers: dict[str, int] = {}  # and of those suppliers
        for kind, team, supplier, team_name, supplier_name in Agreement.objects.filter(
                kind__in=(AgreementKind.OLA, AgreementKind.UC), status__in=MEASURED).values_list(
                "kind", "team_id", "supplier_id", "team__name", "supplier__name"):
            if kind == AgreementKind.OLA:
                self._parties[kind].add(team)
                self.teams[team_name] = team
            else:
                self._parties[kind].add(supplier)
                self.suppliers[supplier_name] = supplier
        self._sets: dict[tuple, list] = {}
        self._applied: dict[tuple, list] = {}
        self._defs: dict[tuple, Applied] = {}
        self._objects: dict[tuple, object] = {}

    def _obj(self, model, pk):
        if pk is None:
            return None
        key = (model, pk)
        if key not in self._objects:
            self._objects[key] = model.objects.filter(pk=pk).first()
        return self._objects[key]

    def applied(self, at, *, customer_id=None, service_id=None, team_ids=(),
                supplier_ids=()) -> list[Applied]:
        """The targets applying to a ticket started at ``at`` with these parties.
        ``team_ids``/``supplier_ids``: every team/supplier that held the ticket."""
        if at is None:
            return []
        bucket = bisect_right(self._bounds, at)
        key = (bucket, customer_id, service_id, tuple(team_ids), tuple(supplier_ids))
        hit = self._applied.get(key)
        if hit is None:
            hit = self._applied[key] = self._applied_in(bucket, at, customer_id, service_id,
                                                        team_ids, supplier_ids)
        return hit

    def _applied_in(self, bucket, at, customer_id, service_id, team_ids, supplier_ids):
        found: dict[int, Applied] = {}
        parties = [(AgreementKind.SLA, customer_id, service_id)]
        parties += [(AgreementKind.OLA, pk, service_id) for pk in team_ids]
        parties += [(AgreementKind.UC, pk, service_id) for pk in supplier_ids]
        for kind, party, service in parties:
            key = (kind, party, service, customer_id if kind != AgreementKind.SLA else None,
                   bucket)
            if key not in self._sets:
                self._sets[key] = ([] if kind != AgreementKind.SLA
                                   and party not in self._parties[kind]
                                   else self._lookup(at, kind, party, service_id, customer_id))
            for applied in self._sets[key]:
                found.setdefault(applied.target_id, applied)
        return sorted(found.values(), key=lambda a: a.target_id)

    def _lookup(self, at, kind, party, service_id, customer_id) -> list[Applied]:
        customer = self._obj(Customer, customer_id)
        service = self._obj(Service, service_id)
        if kind == AgreementKind.SLA:
            agreements = agreements_covering(at, customer=customer, service=service)
            holder = ""
        elif kind == AgreementKind.OLA:
            team = self._obj(Team, party)
            agreements = agreements_covering(at, team=team)
            holder = team.name
        else:
            supplier = self._obj(Supplier, party)
            agreements = agreements_covering(at, supplier=supplier)
            holder = supplier.name
        result = []
        for agreement in agreements:
            if agreement.kind != kind:
                continue
            version = agreement.version_in_force(at)
            for effective in effective_targets(agreement, at):
                target = effective.target
                if not target.is_duration:
                    continue
                result.append(self._definition(target, agreement, version, customer, service,
                                               kind, holder))
        return result

    def _definition(self, target, agreement, version, customer, service, kind, holder):
        key = (target.pk, agreement.pk, getattr(customer, "pk", None),
               getattr(service, "pk", None), holder)
        if key not in self._defs:
            resolved = explain_calendar(target, customer, service)
            calendar = resolved.calendar
            if calendar.pk is None and resolved.source == "agreement_in_customer_tz":
                calendar = target.version.agreement.calendar
            definition = clock_definition(target, customer, service)
            if kind == AgreementKind.OLA:
                definition = _holder_pause(definition, "team", holder)
            elif kind == AgreementKind.UC:
                definition = _holder_pause(definition, "supplier", holder)
            self._defs[key] = Applied(
                definition=definition, target_id=target.pk, agreement_id=agreement.pk,
                version_id=version.pk, kind=kind, metric=target.metric, holder=holder,
                calendar_id=calendar.pk, calendar_version=calendar.version if calendar.pk else 0)
        return self._defs[key]
