"""API authentication (bearer tokens or the browser session) and permission checks."""

from ninja.security import HttpBearer, SessionAuth

from accord.lib.errors import Forbidden

from .models import ApiToken, User
from .services import authenticate_token


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        api_token = authenticate_token(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_token = api_token
        return api_token


class SessionAuthIsActive(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and user.is_active:
            request.api_token = None
            return user
        return None


API_AUTH = [TokenAuth(), SessionAuthIsActive()]


def require(request, permission: str) -> User:
    """The request's user, if it holds ``permission``; otherwise Forbidden (HTTP 403).

    Anything beyond viewing needs a read-write token when the request came with a token.
    """
    user = request.user
    token: ApiToken | None = getattr(request, "api_token", None)
    if permission != "view" and token is not None and not token.can_write:
        raise Forbidden("this API token is read-only")
    if not user.can(permission):
        raise Forbidden(f"your role ({user.role}) may not {permission.replace('_', ' ')}")
    return user
