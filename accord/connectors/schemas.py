from datetime import datetime
from typing import Literal

from django.core.exceptions import ObjectDoesNotExist
from ninja import Schema
from pydantic import Field

from .choices import ConnectorKind
from .queries import hook_url

Kind = Literal[tuple(ConnectorKind.values)]  # type: ignore[valid-type]


class ConnectorIn(Schema):
    kind: Kind
    name: str = Field(max_length=100)
    source: str = Field(max_length=64, description="The event source its events carry.")
    secret: str = Field(min_length=1, max_length=200,
                        description="Verifies the desk's calls; never shown back.")
    mapping: dict | None = Field(None, description="Laid over the kind's shipped defaults.")
    base_url: str | None = Field(None, max_length=200, description="For pull sync.")
    credentials: dict[str, str] | None = Field(
        None, description="For pull sync (e.g. email + api_token); never shown back.")
    enabled: bool = True
    sync_interval_minutes: int = Field(0, ge=0, le=10080)


class ConnectorPatch(Schema):
    kind: Kind | None = None
    name: str | None = Field(None, max_length=100)
    source: str | None = Field(None, max_length=64)
    secret: str | None = Field(None, min_length=1, max_length=200)
    mapping: dict | None = Field(None, description="Replaces the whole mapping.")
    base_url: str | None = Field(None, max_length=200)
    credentials: dict[str, str] | None = None
    enabled: bool | None = None
    sync_interval_minutes: int | None = Field(None, ge=0, le=10080)


class ConnectorOut(Schema):
    id: int
    kind: str
    name: str
    source: str
    url: str
    mapping: dict
    base_url: str
    secret_set: bool
    credentials_set: list[str]
    enabled: bool
    sync_interval_minutes: int
    next_sync_at: datetime | None
    last_sync_at: datetime | None
    last_sync_error: str
    deliveries: int
    events_stored: int
    duplicates: int
    refused: int
    open_dead_letters: int
    last_delivery_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_url(obj):
        return hook_url(obj)

    @staticmethod
    def resolve_secret_set(obj):
        return bool(obj.secret)

    @staticmethod
    def resolve_credentials_set(obj):
        return sorted(obj.credentials or {})

    @staticmethod
    def resolve_open_dead_letters(obj):
        count = getattr(obj, "open_letters", None)
        if count is None:
            count = obj.dead_letters.filter(status="open").count()
        return count


class DeliveryOut(Schema):
    id: int
    channel: str
    received_at: datetime
    outcome: str
    key: str
    desk_event: str
    events: int
    stored: int
    duplicates: int = Field(alias="duplicate_events")
    conflicts: int
    rejected: int
    reason: str
    dead_letter: int | None

    @staticmethod
    def resolve_dead_letter(obj):
        try:
            return obj.dead_letter.pk
        except ObjectDoesNotExist:
            return None


class DeadLetterOut(Schema):
    id: int
    delivery: int = Field(alias="delivery_id")
    received_at: datetime
    status: str
    reason: str
    headers: dict
    body: str
    replayed_at: datetime | None
    replay_result: dict


class HookOut(Schema):
    delivery: int
    outcome: str
    events: int
    stored: int
    duplicates: int
    conflicts: int
    rejected: int
    reason: str
    dead_letter: int | None


class TestOut(Schema):
    ok: bool
    message: str
    events: list[dict]
