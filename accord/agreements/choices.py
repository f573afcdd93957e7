from django.db import models


class AgreementKind(models.TextChoices):
    SLA = "sla", "SLA (provider ↔ customer)"
    OLA = "ola", "OLA (provider ↔ internal team)"
    UC = "uc", "Underpinning contract (provider ↔ supplier)"


class Structure(models.TextChoices):
    """How an SLA is cut. Multi-level SLAs nest corporate → customer → service via ``parent``."""

    SERVICE_BASED = "service_based", "Service-based (one service, all customers)"
    CUSTOMER_BASED = "customer_based", "Customer-based (one customer, its services)"
    CORPORATE = "corporate", "Multi-level: corporate level"
    CUSTOMER_LEVEL = "customer_level", "Multi-level: customer level"
    SERVICE_LEVEL = "service_level", "Multi-level: service level"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_NEGOTIATION = "in_negotiation", "In negotiation"
    AGREED = "agreed", "Agreed"
    ACTIVE = "active", "Active"
    UNDER_REVIEW = "under_review", "Under review"
    EXPIRED = "expired", "Expired"
    TERMINATED = "terminated", "Terminated"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"
    SUPERSEDED = "superseded", "Superseded"


class Party(models.TextChoices):
    PROVIDER = "provider", "Provider"
    COUNTERPARTY = "counterparty", "Counterparty"


class Metric(models.TextChoices):
    RESPONSE = "response", "Response time"
    RESOLUTION = "resolution", "Resolution time"
    UPDATE_INTERVAL = "update_interval", "Update interval"
    FULFILMENT = "fulfilment", "Request fulfilment time"
    AVAILABILITY = "availability", "Availability"
    EXPERIENCE = "experience", "Experience (CSAT / XLA)"
    RATIO = "ratio", "Ratio SLI (good / total events)"


# Metrics measured by a clock against a duration; the others are percentages.
DURATION_METRICS = frozenset(
    {Metric.RESPONSE, Metric.RESOLUTION, Metric.UPDATE_INTERVAL, Metric.FULFILMENT}
)


class Period(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"


class CreditBasis(models.TextChoices):
    """What a service credit is paid per."""

    PER_MISSED_OBJECTIVE = "per_missed_objective", "Per missed objective"
    PER_BREACH = "per_breach", "Per breach"


class CreditDirection(models.TextChoices):
    """Who owes a service credit, derived from the agreement's kind (OLAs carry none)."""

    OWED_TO_CUSTOMER = "owed_to_customer", "Owed to the customer"
    OWED_BY_SUPPLIER = "owed_by_supplier", "Owed by the supplier"


class ReopenPolicy(models.TextChoices):
    NEW_CYCLE = "new_cycle", "Start a new cycle"
    RESUME = "resume", "Resume the stopped clock"


class SlrStatus(models.TextChoices):
    CAPTURED = "captured", "Captured"
    UNDER_EVALUATION = "under_evaluation", "Under evaluation"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    CONVERTED = "converted", "Converted to draft targets"


class Feasibility(models.TextChoices):
    YES = "yes", "Yes, we can deliver it"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class ExperienceMeasure(models.TextChoices):
    """What an experience (XLA) target measures per period."""

    CSAT_AVERAGE = "csat_average", "CSAT average (1-5)"
    CSAT_SATISFIED_PERCENT = "csat_satisfied_percent", "Satisfied % (CSAT 4 or 5 of 5)"
    CES_AVERAGE = "ces_average", "Effort average (CES 1-7)"
    NPS = "nps", "Net promoter score (-100 to 100)"
    COMPLAINTS_PER_100_TICKETS = "complaints_per_100_tickets", "Complaints per 100 tickets"
    REOPEN_RATE_PERCENT = "reopen_rate_percent", "Reopened tickets %"


class Direction(models.TextChoices):
    AT_LEAST = "at_least", "At least"
    AT_MOST = "at_most", "At most"
