"""API for the parties to agreements: customers, teams and suppliers.

Portal users see only the customers (suppliers) whose contacts include them; changes need
"change_catalogue".
"""

from ninja import Router, Status
from ninja.pagination import paginate

from accord.accounts.auth import require
from accord.accounts.schemas import AuditOut

from . import queries, services
from .api_common import history_of, visible
from .models import Customer, Supplier, Team
from .schemas import (
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    SupplierIn,
    SupplierOut,
    SupplierPatch,
    TeamIn,
    TeamOut,
    TeamPatch,
)

router = Router(tags=["catalogue"])

# --- customers -----------------------------------------------------------------------------


@router.get("/customers", response=list[CustomerOut])
@paginate
def list_customers(request, q: str | None = None, contact: int | None = None):
    require(request, "view")
    return queries.customers(request.user, q=q, contact=contact)


@router.post("/customers", response={201: CustomerOut})
def create_customer(request, payload: CustomerIn):
    by = require(request, "change_catalogue")
    return Status(201, services.create(Customer, by=by, **payload.dict()))


@router.get("/customers/{customer_id}", response=CustomerOut)
def get_customer(request, customer_id: int):
    require(request, "view")
    return visible(request, Customer, customer_id)


@router.patch("/customers/{customer_id}", response=CustomerOut)
def update_customer(request, customer_id: int, payload: CustomerPatch):
    customer = visible(request, Customer, customer_id)
    by = require(request, "change_catalogue")
    return services.update(customer, by=by, **payload.dict(exclude_unset=True))


@router.delete("/customers/{customer_id}", response={204: None})
def delete_customer(request, customer_id: int):
    customer = visible(request, Customer, customer_id)
    services.delete(customer, by=require(request, "change_catalogue"))
    return Status(204, None)


@router.get("/customers/{customer_id}/history", response=list[AuditOut])
@paginate
def customer_history(request, customer_id: int):
    return history_of(request, Customer, customer_id)


# --- teams ---------------------------------------------------------------------------------


@router.get("/teams", response=list[TeamOut])
@paginate
def list_teams(request, q: str | None = None, member: int | None = None):
    require(request, "view")
    return queries.teams(request.user, q=q, member=member)


@router.post("/teams", response={201: TeamOut})
def create_team(request, payload: TeamIn):
    by = require(request, "change_catalogue")
    return Status(201, services.create(Team, by=by, **payload.dict()))


@router.get("/teams/{team_id}", response=TeamOut)
def get_team(request, team_id: int):
    require(request, "view")
    return visible(request, Team, team_id)


@router.patch("/teams/{team_id}", response=TeamOut)
def update_team(request, team_id: int, payload: TeamPatch):
    team = visible(request, Team, team_id)
    by = require(request, "change_catalogue")
    return services.update(team, by=by, **payload.dict(exclude_unset=True))


@router.delete("/teams/{team_id}", response={204: None})
def delete_team(request, team_id: int):
    team = visible(request, Team, team_id)
    services.delete(team, by=require(request, "change_catalogue"))
    return Status(204, None)


@router.get("/teams/{team_id}/history", response=list[AuditOut])
@paginate
def team_history(request, team_id: int):
    return history_of(request, Team, team_id)


# --- suppliers -----------------------------------------------------------------------------


@router.get("/suppliers", response=list[SupplierOut])
@paginate
def list_suppliers(request, q: str | None = None, contact: int | None = None):
    require(request, "view")
    return queries.suppliers(request.user, q=q, contact=contact)


@router.post("/suppliers", response={201: SupplierOut})
def create_supplier(request, payload: SupplierIn):
    by = require(request, "change_catalogue")
    return Status(201, services.create(Supplier, by=by, **payload.dict()))


@router.get("/suppliers/{supplier_id}", response=SupplierOut)
def get_supplier(request, supplier_id: int):
    require(request, "view")
    return visible(request, Supplier, supplier_id)


@router.patch("/suppliers/{supplier_id}", response=SupplierOut)
def update_supplier(request, supplier_id: int, payload: SupplierPatch):
    supplier = visible(request, Supplier, supplier_id)
    by = require(request, "change_catalogue")
    return services.update(supplier, by=by, **payload.dict(exclude_unset=True))


@router.delete("/suppliers/{supplier_id}", response={204: None})
def delete_supplier(request, supplier_id: int):
    supplier = visible(request, Supplier, supplier_id)
    services.delete(supplier, by=require(request, "change_catalogue"))
    return Status(204, None)


@router.get("/suppliers/{supplier_id}/history", response=list[AuditOut])
@paginate
def supplier_history(request, supplier_id: int):
    return history_of(request, Supplier, supplier_id)
