"""Read models of the accounts app."""

from django.contrib.contenttypes.models import ContentType

from accord.lib.errors import InvalidInput

from .models import AuditEntry


def audit_entries(object_type: str | None = None, object_id: str | None = None):
    entries = AuditEntry.objects.select_related("content_type")
    if object_type:
        try:
            app_label, model = object_type.split(".")
            ct = ContentType.objects.get(app_label=app_label, model=model)
        except (ValueError, ContentType.DoesNotExist):
            raise InvalidInput(
                f"object_type {object_type!r} is not a known 'app.model'", field="object_type"
            ) from None
        entries = entries.filter(content_type=ct)
    if object_id:
        entries = entries.filter(object_id=object_id)
    return entries
