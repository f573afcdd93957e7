from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from accord.lib.schemas import In

from .choices import Role


class UserOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    is_active: bool


class UserIn(In):
    username: str = Field(min_length=1, max_length=150)
    role: Literal[tuple(Role.values)]  # type: ignore[valid-type]
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    password: str | None = None


class TokenIn(In):
    name: str = Field(min_length=1, max_length=100)
    scope: Literal["read", "write"] = "read"


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The raw token. Shown once: store it now.")


class AuditOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict
    message: str

    @staticmethod
    def resolve_object_type(obj):
        return f"{obj.content_type.app_label}.{obj.content_type.model}"
