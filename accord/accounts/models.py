import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .choices import AuditAction, Role, TokenScope
from .roles import role_allows

TOKEN_PREFIX = "acc_"


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.READER)
    # The zone pages show dates in (IANA name); empty: the browser's zone, else UTC.
    time_zone = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_portal(self) -> bool:
        return self.role in (Role.CUSTOMER, Role.SUPPLIER) and not self.is_superuser

    def can(self, permission: str) -> bool:
        """Whether the user's role allows ``permission`` (see accounts.roles)."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return role_allows(self.role, permission)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 digest is stored; the raw token is
    shown once, when it is created."""

    user = models.ForeignKey(User, models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=8, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE


class AuditEntry(models.Model):
    """Who changed what, when, and why. Written by each app's services.py, never by signals."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.CharField(max_length=150, help_text="Username at the time, or 'system'.")
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"
