from django.db import models


class Criticality(models.IntegerChoices):
    CRITICAL = 1, "1 – critical"
    HIGH = 2, "2 – high"
    MEDIUM = 3, "3 – medium"
    LOW = 4, "4 – low"


class ServiceStatus(models.TextChoices):
    PIPELINE = "pipeline", "Pipeline"
    LIVE = "live", "Live"
    RETIRED = "retired", "Retired"


class ComponentKind(models.TextChoices):
    APPLICATION = "application", "Application"
    SERVER = "server", "Server"
    DATABASE = "database", "Database"
    NETWORK = "network", "Network"
    SUPPLIER_SERVICE = "supplier_service", "Supplier service"


# Where a service may go from each status: the pipeline goes live (or is abandoned), a live
# service is retired, and a retirement can be undone while the service is still needed.
STATUS_MOVES: dict[str, frozenset[str]] = {
    ServiceStatus.PIPELINE: frozenset({ServiceStatus.LIVE, ServiceStatus.RETIRED}),
    ServiceStatus.LIVE: frozenset({ServiceStatus.RETIRED}),
    ServiceStatus.RETIRED: frozenset({ServiceStatus.LIVE}),
}
