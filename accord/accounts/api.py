from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from accord.lib.errors import Forbidden

from . import queries, services
from .auth import require
from .models import ApiToken, User
from .schemas import AuditOut, TokenCreated, TokenIn, TokenOut, UserIn, UserOut

router = Router(tags=["accounts"])


@router.get("/me", response=UserOut)
def me(request):
    return request.user


@router.get("/users", response=list[UserOut])
@paginate
def list_users(request, role: str | None = None):
    require(request, "manage_users")
    users = User.objects.all()
    return users.filter(role=role) if role else users


@router.post("/users", response={201: UserOut})
def create_user(request, payload: UserIn):
    by = require(request, "manage_users")
    return Status(201, services.create_user(by=by, **payload.dict()))


def _refuse_read_only_token(request):
    """Managing tokens is writing: a read-only token can neither mint nor revoke tokens."""
    token = getattr(request, "api_token", None)
    if token is not None and not token.can_write:
        raise Forbidden("this API token is read-only: it cannot create or revoke tokens")


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request):
    return ApiToken.objects.filter(user=request.user)


@router.post("/tokens", response={201: TokenCreated})
def create_token(request, payload: TokenIn):
    # Any signed-in user may create tokens for themselves, but a token cannot mint tokens
    # wider than itself.
    _refuse_read_only_token(request)
    token, raw = services.create_token(request.user, payload.name, payload.scope)
    return Status(201, TokenOut.from_orm(token).dict() | {"token": raw})


@router.delete("/tokens/{token_id}", response=TokenOut)
def revoke_token(request, token_id: int):
    _refuse_read_only_token(request)
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    return services.revoke_token(token, by=request.user, now=timezone.now())


@router.get("/audit", response=list[AuditOut])
@paginate
def list_audit(request, object_type: str | None = None, object_id: str | None = None):
    require(request, "export_reports")
    return queries.audit_entries(object_type, object_id)
