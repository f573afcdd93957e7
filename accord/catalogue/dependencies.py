"""The dependency graph: adding and removing dependencies and redundancy groups (audited on
the service that depends), refusing cycles, and the tree the availability engine reads.

Services and components are the nodes; ``Dependency`` rows are the edges. A service needs
every dependency outside groups (series) and, of each redundancy group, ``min_up`` members.
Leaves of the engine's tree are named ``component:<id>``, or ``service:<id>`` for a service
that has no dependencies of its own (its outages are recorded against it directly).
"""

from collections import deque

from django.db import connection, transaction

from accord.accounts.choices import AuditAction
from accord.accounts.models import User
from accord.accounts.services import record_change
from accord.clock.availability_graph import Leaf, Redundant, Series
from accord.lib.errors import DomainError, InvalidInput

from .choices import ServiceStatus
from .models import Component, Dependency, RedundancyGroup, Service

_GRAPH_LOCK = 0x6163636F7264  # advisory lock serialising graph writes on PostgreSQL


def component_key(pk: int) -> str:
    return f"component:{pk}"


def service_key(pk: int) -> str:
    return f"service:{pk}"


def _lock_graph():
    """Serialise graph writes so that two concurrent additions cannot close a cycle together.

    SQLite already runs one write transaction at a time (IMMEDIATE mode)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_GRAPH_LOCK])


def cycle_path(service: Service, target: Service) -> list[str] | None:
    """Names along the cycle that ``service`` → ``target`` would close, or None."""
    if target.pk == service.pk:
        return [service.name, service.name]
    edges: dict[int, list[int]] = {}
    pairs = Dependency.objects.filter(depends_on_service__isnull=False).order_by("pk")
    for src, dst in pairs.values_list("service_id", "depends_on_service_id"):
        edges.setdefault(src, []).append(dst)
    came_from = {target.pk: None}
    queue = deque([target.pk])
    while queue:  # breadth first: the shortest way back names the cycle
        node = queue.popleft()
        if node == service.pk:
            chain = []
            while node is not None:
                chain.append(node)
                node = came_from[node]
            names = dict(Service.objects.filter(pk__in=chain).values_list("pk", "name"))
            return [service.name] + [names[pk] for pk in reversed(chain)]
        for nxt in edges.get(node, ()):
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return None


def _field(target) -> str:
    return "depends_on_service" if isinstance(target, Service) else "depends_on_component"


def _check_target(service: Service, target, taken: set) -> None:
    """Refuse a target that is not a saved service/component, repeated, retired or cyclic."""
    if not isinstance(target, Service | Component) or target.pk is None:
        raise InvalidInput(f"cannot depend on {target!r}", field="depends_on")
    field = _field(target)
    key = (field, target.pk)
    if key in taken:
        raise InvalidInput(f"{service.name} already depends on {target.name}", field=field)
    if isinstance(target, Service):
        if target.status == ServiceStatus.RETIRED:
            raise InvalidInput(f"{target.name} is retired", field=field)
        path = cycle_path(service, target)
        if path:
            raise InvalidInput(f"dependency cycle: {' → '.join(path)}", field=field)
    taken.add(key)


def _taken(service: Service) -> set:
    rows = Dependency.objects.filter(service=service)
    return {
        ("depends_on_service", s) if s else ("depends_on_component", c)
        for s, c in rows.values_list("depends_on_service_id", "depends_on_component_id")
    }


def structure(service: Service) -> dict:
    """Readable labels of a service's dependencies and groups (what its audit rows compare)."""
    deps = Dependency.objects.filter(service=service).select_related(
        "depends_on_service", "depends_on_component", "group"
    )
    labels = []
    for d in deps:
        kind = "service" if d.depends_on_service_id else "component"
        where = f" [in {d.group.name}]" if d.group_id else ""
        labels.append(f"{kind} {d.target.name}{where}")
    groups = [
        f"{g.name}: {g.min_up} of {g.members.count()} up"
        for g in RedundancyGroup.objects.filter(service=service)
    ]
    return {"dependencies": sorted(labels), "groups": sorted(groups)}


def _audit(by, service, before, message):
    record_change(by, service, AuditAction.UPDATE, before=before, after=structure(service),
                  message=message)


def check_dependency(service: Service, depends_on, group: RedundancyGroup | None = None):
    """Raise InvalidInput if ``add_dependency`` would refuse this dependency."""
    if group is not None and group.service_id != service.pk:
        raise InvalidInput(f"group {group.name!r} belongs to another service", field="group")
    _check_target(service, depends_on, _taken(service))


@transaction.atomic
def add_dependency(
    service: Service, *, depends_on: Service | Component, group: RedundancyGroup | None = None,
    by: User | None,
) -> Dependency:
    """``service`` needs ``depends_on`` (in series, or as a member of ``group``)."""
    _lock_graph()
    check_dependency(service, depends_on, group)
    before = structure(service)
    dependency = Dependency(service=service, group=group, **{_field(depends_on): depends_on})
    dependency.save()
    where = f" in group {group.name}" if group else ""
    _audit(by, service, before, f"added dependency on {depends_on.name}{where}")
    return dependency


def check_removal(dependency: Dependency) -> None:
    """Raise DomainError if removing ``dependency`` would leave its group short."""
    group = dependency.group
    if group is not None and group.members.count() - 1 < group.min_up:
        raise DomainError(
            f"{group.name} needs {group.min_up} member(s) up; lower min_up or delete the "
            f"group instead of removing {dependency.target.name}",
            field="group",
        )


@transaction.atomic
def remove_dependency(dependency: Dependency, *, by: User | None) -> None:
    """Remove one dependency; a group may not drop below its ``min_up`` members."""
    _lock_graph()
    check_removal(dependency)
    service = dependency.service
    before = structure(service)
    name = dependency.target.name
    dependency.delete()
    _audit(by, service, before, f"removed dependency on {name}")


def _min_up(value, members: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"min_up must be a whole number of at least 1, got {value!r}",
                           field="min_up")
    if value > members:
        raise InvalidInput(f"min_up {value} is more than the {members} member(s)",
                           field="min_up")
    return value


def _group_name(service: Service, value, group=None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("name must not be empty", field="name")
    name = " ".join(value.split())
    same = RedundancyGroup.objects.filter(service=service, name__iexact=name)
    if group is not None:
        same = same.exclude(pk=group.pk)
    if same.exists():
        raise InvalidInput(f"{service.name} already has a group named {name!r}", field="name")
    limit = RedundancyGroup._meta.get_field("name").max_length
    if len(name) > limit:
        raise InvalidInput(f"name must be at most {limit} characters", field="name")
    return name


@transaction.atomic
def create_group(
    service: Service, *, name: str, members: list, min_up: int = 1, by: User | None
) -> RedundancyGroup:
    """A redundancy group of ``members`` (services/components), up while ``min_up`` are."""
    _lock_graph()
    name = _group_name(service, name)
    members = list(members)
    if not members:
        raise InvalidInput("a redundancy group needs members", field="members")
    min_up = _min_up(min_up, len(members))
    taken = _taken(service)
    for target in members:
        _check_target(service, target, taken)
    before = structure(service)
    group = RedundancyGroup.objects.create(service=service, name=name, min_up=min_up)
    for target in members:
        Dependency.objects.create(service=service, group=group, **{_field(target): target})
    _audit(by, service, before, f"added redundancy group {name}")
    return group


def check_group_changes(group: RedundancyGroup, changes: dict) -> tuple[str, int]:
    """The group's name and min_up after ``changes``; InvalidInput if they are refused."""
    unknown = sorted(set(changes) - {"name", "min_up"})
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}", field=unknown[0])
    name = group.name
    if "name" in changes:
        name = _group_name(group.service, changes["name"], group)
    min_up = group.min_up
    if "min_up" in changes:
        min_up = _min_up(changes["min_up"], group.members.count())
    return name, min_up


@transaction.atomic
def update_group(group: RedundancyGroup, *, by: User | None, **changes) -> RedundancyGroup:
    """Rename a group or change its ``min_up``."""
    _lock_graph()
    name, min_up = check_group_changes(group, changes)
    service = group.service
    before = structure(service)
    group.name, group.min_up = name, min_up
    group.save()
    after = structure(service)
    if after != before:
        _audit(by, service, before, f"changed redundancy group {name}")
    return group


@transaction.atomic
def delete_group(group: RedundancyGroup, *, by: User | None) -> None:
    """Delete a group together with its member dependencies."""
    _lock_graph()
    service = group.service
    before = structure(service)
    name = group.name
    group.delete()
    _audit(by, service, before, f"removed redundancy group {name}")


# --- reading the graph ---------------------------------------------------------------------


def _load(service: Service) -> dict[int, list[Dependency]]:
    """Every dependency reachable from ``service``: {service id: its dependencies}."""
    graph: dict[int, list[Dependency]] = {}
    frontier = {service.pk}
    while frontier:  # one query per level of depth
        for pk in frontier:
            graph[pk] = []
        rows = (
            Dependency.objects.filter(service_id__in=frontier)
            .select_related("group", "depends_on_service", "depends_on_component")
            .order_by("pk")
        )
        for d in rows:
            graph[d.service_id].append(d)
        frontier = {d.depends_on_service_id for d in rows if d.depends_on_service_id} - set(graph)
    return graph


def _walk(pk: int, graph, path: tuple, leaf, series, redundant, service_node):
    if pk in path:
        raise DomainError(f"dependency cycle through service id {pk}")
    series_members, groups = [], {}
    for d in graph[pk]:
        if d.depends_on_service_id:
            child = _walk(d.depends_on_service_id, graph, (*path, pk), leaf, series, redundant,
                          service_node)
            child = service_node(d, child)
        else:
            child = leaf(d)
        if d.group_id is None:
            series_members.append(child)
        else:
            groups.setdefault(d.group_id, (d.group, []))[1].append(child)
    for group, members in sorted(groups.values(), key=lambda g: g[0].name):
        series_members.append(redundant(group, members))
    return series(pk, series_members)


def dependency_tree(service: Service):
    """The service as the availability engine's ``Series``/``Redundant``/``Leaf`` tree."""

    def series(pk, members):
        return Series(members) if members else Leaf(service_key(pk))

    def redundant(group, members):
        return Redundant(members, k=min(group.min_up, len(members)))

    return _walk(
        service.pk, _load(service), (),
        leaf=lambda d: Leaf(component_key(d.depends_on_component_id)),
        series=series, redundant=redundant, service_node=lambda d, child: child,
    )


def dependency_outline(service: Service) -> dict:
    """The same tree with names and dependency ids, for people (the API's tree)."""

    def series(pk, members):
        return members

    def redundant(group, members):
        return {"type": "redundant", "group_id": group.pk, "name": group.name,
                "min_up": group.min_up, "members": members}

    def leaf(d):
        c = d.depends_on_component
        return {"type": "component", "id": c.pk, "name": c.name, "kind": c.kind,
                "dependency_id": d.pk}

    def service_node(d, children):
        s = d.depends_on_service
        return {"type": "service", "id": s.pk, "name": s.name, "status": s.status,
                "dependency_id": d.pk, "depends_on": children}

    children = _walk(service.pk, _load(service), (), leaf=leaf, series=series,
                     redundant=redundant, service_node=service_node)
    return {"type": "service", "id": service.pk, "name": service.name,
            "status": service.status, "dependency_id": None, "depends_on": children}
