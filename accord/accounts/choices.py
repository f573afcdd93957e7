from django.db import models


class Role(models.TextChoices):
    """The SLM competency levels (DESIGN decision 8), lowest first. Each includes those below."""

    READER = "reader", "Reader"
    ANALYST = "analyst", "Analyst"
    SERVICE_OWNER = "service_owner", "Service owner"
    SERVICE_LEVEL_MANAGER = "service_level_manager", "Service level manager"
    ADMINISTRATOR = "administrator", "Administrator"
    # Portal users: outside parties who see only their own agreements and reports.
    CUSTOMER = "customer", "Customer portal"
    SUPPLIER = "supplier", "Supplier portal"


class TokenScope(models.TextChoices):
    READ = "read", "Read-only"
    WRITE = "write", "Read-write"


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    TRANSITION = "transition", "Status changed"
    APPROVE = "approve", "Approved"
    IMPORT = "import", "Imported"
    SIMULATE = "simulated", "Simulated"  # a what-if replay (planning): nothing else written
