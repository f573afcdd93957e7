"""The catalogue's REST API: services, components and the dependency graph here; customers,
teams and suppliers in ``api_parties``; calendars in ``api_calendars``.

Reading needs "view" (portal users see only their own parties); writing needs
"change_catalogue", except that service owners may change their own services.
"""

from ninja import Router, Status
from ninja.pagination import paginate

from accord.accounts.auth import require
from accord.accounts.schemas import AuditOut
from accord.lib.errors import InvalidInput

from . import dependencies, queries, services
from .api_calendars import router as calendars_router
from .api_common import history_of, service_editor, visible
from .api_parties import router as parties_router
from .choices import ComponentKind, ServiceStatus
from .models import Component, Dependency, RedundancyGroup, Service
from .schemas import (
    ComponentIn,
    ComponentOut,
    ComponentPatch,
    DependencyIn,
    DependencyOut,
    GroupIn,
    GroupOut,
    GroupPatch,
    ServiceIn,
    ServiceOut,
    ServicePatch,
    TreeOut,
)

router = Router(tags=["catalogue"])
router.add_router("/", parties_router)
router.add_router("/", calendars_router)

# --- services ------------------------------------------------------------------------------


@router.get("/services", response=list[ServiceOut])
@paginate
def list_services(
    request, q: str | None = None, status: ServiceStatus | None = None,
    criticality: int | None = None, owner: int | None = None, calendar: int | None = None,
):
    require(request, "view")
    return queries.services(request.user, q=q, status=status, criticality=criticality,
                           owner=owner, calendar=calendar)


@router.post("/services", response={201: ServiceOut})
def create_service(request, payload: ServiceIn):
    by = require(request, "change_catalogue")
    return Status(201, services.create(Service, by=by, **payload.dict()))


@router.get("/services/{service_id}", response=ServiceOut)
def get_service(request, service_id: int):
    require(request, "view")
    return visible(request, Service, service_id)


@router.patch("/services/{service_id}", response=ServiceOut)
def update_service(request, service_id: int, payload: ServicePatch):
    service = visible(request, Service, service_id)
    changes = payload.dict(exclude_unset=True)
    by = service_editor(request, service, changes)
    return services.update(service, by=by, **changes)


@router.delete("/services/{service_id}", response={204: None})
def delete_service(request, service_id: int):
    service = visible(request, Service, service_id)
    services.delete(service, by=require(request, "change_catalogue"))
    return Status(204, None)


@router.get("/services/{service_id}/history", response=list[AuditOut])
@paginate
def service_history(request, service_id: int):
    return history_of(request, Service, service_id)


# --- dependencies and redundancy groups ----------------------------------------------------


@router.get("/services/{service_id}/dependencies", response=TreeOut)
def dependency_tree(request, service_id: int):
    require(request, "view")
    service = visible(request, Service, service_id)
    return {"service": service.pk, "tree": dependencies.dependency_outline(service)}


def _target(service_id, component_id):
    if (service_id is None) == (component_id is None):
        raise InvalidInput("give exactly one of depends_on_service and depends_on_component",
                           field="depends_on_service")
    if service_id is not None:
        return services.instance(Service, service_id, "depends_on_service")
    return services.instance(Component, component_id, "depends_on_component")


@router.post("/services/{service_id}/dependencies", response={201: DependencyOut})
def add_dependency(request, service_id: int, payload: DependencyIn):
    service = visible(request, Service, service_id)
    by = service_editor(request, service)
    target = _target(payload.depends_on_service, payload.depends_on_component)
    group = services.instance(RedundancyGroup, payload.group, "group")
    dependency = dependencies.add_dependency(service, depends_on=target, group=group, by=by)
    return Status(201, dependency)


@router.delete("/dependencies/{dependency_id}", response={204: None})
def remove_dependency(request, dependency_id: int):
    dependency = visible(request, Dependency, dependency_id)
    dependencies.remove_dependency(dependency, by=service_editor(request, dependency.service))
    return Status(204, None)


@router.post("/services/{service_id}/groups", response={201: GroupOut})
def create_group(request, service_id: int, payload: GroupIn):
    service = visible(request, Service, service_id)
    by = service_editor(request, service)
    members = []
    for i, m in enumerate(payload.members):
        if (m.service is None) == (m.component is None):
            raise InvalidInput("give exactly one of service and component",
                               field=f"members.{i}")
        if m.service is not None:
            members.append(services.instance(Service, m.service, f"members.{i}.service"))
        else:
            members.append(services.instance(Component, m.component, f"members.{i}.component"))
    group = dependencies.create_group(
        service, name=payload.name, min_up=payload.min_up, members=members, by=by
    )
    return Status(201, group)


@router.patch("/groups/{group_id}", response=GroupOut)
def update_group(request, group_id: int, payload: GroupPatch):
    group = visible(request, RedundancyGroup, group_id)
    by = service_editor(request, group.service)
    return dependencies.update_group(group, by=by, **payload.dict(exclude_unset=True))


@router.delete("/groups/{group_id}", response={204: None})
def delete_group(request, group_id: int):
    group = visible(request, RedundancyGroup, group_id)
    dependencies.delete_group(group, by=service_editor(request, group.service))
    return Status(204, None)


# --- components ----------------------------------------------------------------------------


@router.get("/components", response=list[ComponentOut])
@paginate
def list_components(
    request, q: str | None = None, kind: ComponentKind | None = None, supplier: int | None = None
):
    require(request, "view")
    return queries.components(request.user, q=q, kind=kind, supplier=supplier)


@router.post("/components", response={201: ComponentOut})
def create_component(request, payload: ComponentIn):
    by = require(request, "change_catalogue")
    return Status(201, services.create(Component, by=by, **payload.dict()))


@router.get("/components/{component_id}", response=ComponentOut)
def get_component(request, component_id: int):
    require(request, "view")
    return visible(request, Component, component_id)


@router.patch("/components/{component_id}", response=ComponentOut)
def update_component(request, component_id: int, payload: ComponentPatch):
    component = visible(request, Component, component_id)
    by = require(request, "change_catalogue")
    return services.update(component, by=by, **payload.dict(exclude_unset=True))


@router.delete("/components/{component_id}", response={204: None})
def delete_component(request, component_id: int):
    component = visible(request, Component, component_id)
    services.delete(component, by=require(request, "change_catalogue"))
    return Status(204, None)


@router.get("/components/{component_id}/history", response=list[AuditOut])
@paginate
def component_history(request, component_id: int):
    return history_of(request, Component, component_id)
