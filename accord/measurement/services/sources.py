"""Event sources and their import policy."""

from django.db import transaction

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change, snapshot
from accord.lib.errors import InvalidInput

from ..models import Source

EDITABLE = ("description", "create_missing")


@transaction.atomic
def update_source(source: Source, changes: dict, *, user=None) -> Source:
    """Change a source's description or whether its events may create catalogue entries."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"{unknown[0]} cannot be changed", field=unknown[0])
    if "create_missing" in changes and not isinstance(changes["create_missing"], bool):
        raise InvalidInput("create_missing must be true or false", field="create_missing")
    before = snapshot(Source.objects.get(pk=source.pk))
    for name, value in changes.items():
        setattr(source, name, value if value is not None else "")
    source.save(update_fields=list(changes))
    record_change(user, source, AuditAction.UPDATE, before=before)
    return source
