"""Domain operations of the accounts app: users, tokens and the audit trail."""

import datetime as dt
import decimal
import functools
import uuid
import zoneinfo
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone

from accord.lib.errors import InvalidInput

from .choices import AuditAction, Role, TokenScope
from .models import ApiToken, AuditEntry, User, hash_token


def _jsonable(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model) -> dict:
    """The object's concrete field values, JSON-ready (foreign keys as ids)."""
    data = {}
    for field in obj._meta.concrete_fields:
        data[field.name] = _jsonable(getattr(obj, field.attname))
    for field in obj._meta.many_to_many:
        if obj.pk:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


def diff(before: dict | None, after: dict | None) -> dict:
    """{field: [old, new]} for each field whose value changed."""
    before, after = before or {}, after or {}
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


_stamp: ContextVar[dt.datetime | None] = ContextVar("accord_audit_at", default=None)


@contextmanager
def audit_time(at: dt.datetime):
    """Stamp the audit rows written inside the block with ``at`` instead of the wall clock:
    for loaders that replay history (the demo), whose trail must match the history."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("audit_time needs an aware datetime")
    token = _stamp.set(at)
    try:
        yield
    finally:
        _stamp.reset(token)


def record_change(
    user: User | None,
    obj: models.Model,
    action: str,
    *,
    before: dict | None = None,
    after: dict | None = None,
    changes: dict | None = None,
    message: str = "",
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Write one audit row for ``obj``. Pass before/after snapshots or ready ``changes``;
    ``at`` is the instant it happened (default: now)."""
    if changes is None:
        if after is None and action != AuditAction.DELETE:
            after = snapshot(obj)
        changes = diff(before, after)
    # A loader's audit_time stamp wins over the service's own instant (and over the clock).
    stamp = _stamp.get()
    at = stamp if stamp is not None else at
    return AuditEntry.objects.create(
        user=user if user and user.pk else None,
        actor=user.username if user and user.pk else "system",
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=_jsonable(changes),
        message=message,
        **({"at": at} if at is not None else {}),
    )


def history(obj: models.Model):
    """The audit trail of one object, newest first."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return AuditEntry.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related(
        "user", "content_type"
    )


def is_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows (e.g. ``Europe/Paris``)."""
    return name in _zones()


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@transaction.atomic
def set_time_zone(user: User, time_zone: str, *, by: User | None) -> User:
    """The zone the user's pages show dates in; ``""`` means the browser's zone, else UTC."""
    time_zone = (time_zone or "").strip()
    if time_zone and not is_time_zone(time_zone):
        raise InvalidInput(f"time_zone {time_zone!r} is not an IANA time zone such as "
                           "'Europe/Paris'", field="time_zone")
    if user.time_zone != time_zone:
        before = {"time_zone": user.time_zone}
        user.time_zone = time_zone
        user.save(update_fields=["time_zone"])
        record_change(by, user, AuditAction.UPDATE, before=before,
                      after={"time_zone": time_zone})
    return user


@transaction.atomic
def create_user(
    username: str,
    *,
    role: str = Role.READER,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    by: User | None = None,
) -> User:
    if not username or not username.strip():
        raise InvalidInput("username must not be empty", field="username")
    if role not in Role.values:
        raise InvalidInput(
            f"role {role!r} is not one of {', '.join(Role.values)}", field="role"
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(f"email {email!r} is not an email address", field="email") from None
    if User.objects.filter(username=username).exists():
        raise InvalidInput(f"username {username!r} is already taken", field="username")
    user = User(
        username=username, role=role, email=email, first_name=first_name, last_name=last_name
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = role in (Role.SERVICE_LEVEL_MANAGER, Role.ADMINISTRATOR)
    user.save()
    after = snapshot(user)
    after.pop("password", None)
    record_change(by, user, AuditAction.CREATE, after=after)
    return user


def set_password(user: User, password: str, *, by: User | None, reason: str = "") -> User:
    """Give ``user`` a new password (audited: that it changed, never the password)."""
    if not password:
        raise InvalidInput("password must not be empty", field="password")
    user.set_password(password)
    user.save(update_fields=["password"])
    record_change(by, user, AuditAction.UPDATE, changes={"password": ["***", "***"]},
                  message=reason or "password changed")
    return user


@transaction.atomic
def create_token(user: User, name: str, scope: str = TokenScope.READ) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the raw token, which is never stored or shown again."""
    if not name or not name.strip():
        raise InvalidInput("name must not be empty", field="name")
    if scope not in TokenScope.values:
        raise InvalidInput(f"scope {scope!r} must be 'read' or 'write'", field="scope")
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=name.strip(), scope=scope, prefix=raw[:10], digest=hash_token(raw)
    )
    record_change(user, token, AuditAction.CREATE, after={"name": token.name, "scope": scope})
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken, *, by: User | None, now: dt.datetime) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        record_change(by, token, AuditAction.UPDATE, changes={"revoked_at": [None, now]})
    return token


def authenticate_token(raw: str, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The active token for ``raw``, or None. Marks it used (at most once a minute)."""
    if not raw or not raw.startswith("acc_"):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
