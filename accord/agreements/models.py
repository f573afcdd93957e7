"""Agreements (SLA/OLA/UC), their versions, sign-offs and targets, SLRs, priority matrices.

A version that both parties signed is frozen: its row, its targets and its approvals refuse
every change, in ``save()``/``delete()`` and in bulk ``update()``/``delete()`` too, so neither
the admin nor a script can rewrite what was signed. Domain operations live in services.py,
versions.py and slrs.py; these classes only carry behaviour that belongs to one row.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models

from accord.catalogue.models import Calendar, Customer, Service, Supplier, Team
from accord.lib.errors import DomainError

from .choices import (
    DURATION_METRICS,
    AgreementKind,
    AgreementStatus,
    CreditBasis,
    Direction,
    ExperienceMeasure,
    Feasibility,
    Metric,
    Party,
    Period,
    ReopenPolicy,
    SlrStatus,
    Structure,
    VersionStatus,
)

TERMINAL = (AgreementStatus.EXPIRED, AgreementStatus.TERMINATED)
DEFAULT_WARNINGS = (50, 75, 90)


def default_warnings() -> list:
    """Warn at 50 %, 75 % and 90 % of a target unless told otherwise."""
    return list(DEFAULT_WARNINGS)


EXPERIENCE_FIELDS = ("measure", "threshold", "direction", "min_responses")

CONDITION_FIELDS = (
    "start_condition", "pause_condition", "stop_condition", "reset_condition", "cancel_condition",
)


class Agreement(models.Model):
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=8, choices=AgreementKind.choices)
    structure = models.CharField(
        max_length=16, choices=Structure.choices, blank=True, help_text="SLAs only."
    )
    status = models.CharField(
        max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    description = models.TextField(blank=True)
    customer = models.ForeignKey(
        Customer, models.PROTECT, null=True, blank=True, related_name="agreements"
    )
    team = models.ForeignKey(Team, models.PROTECT, null=True, blank=True, related_name="agreements")
    supplier = models.ForeignKey(
        Supplier, models.PROTECT, null=True, blank=True, related_name="agreements"
    )
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children",
        help_text="Multi-level SLAs: the customer level above a service level, the corporate "
        "level above a customer level.",
    )
    services = models.ManyToManyField(Service, blank=True, related_name="agreements")
    underpins = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="underpinned_by",
        help_text="OLAs and UCs: the SLAs they support.",
    )
    calendar = models.ForeignKey(
        Calendar, models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Agreement hours, used by targets without their own calendar.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The service level manager accountable for this agreement.",
    )
    monthly_charge = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    credit_cap_percent = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True,
        help_text="Service credits per reporting period are capped at this percentage of the "
        "monthly charge.",
    )
    reporting_time_zone = models.CharField(
        max_length=64, blank=True,
        help_text="IANA zone whose months, quarters and years reports use; empty: the "
        "calendar's zone, else the customer's, else UTC.",
    )
    survey_on_resolve = models.BooleanField(
        default=False, help_text="Send the requester a one-question satisfaction survey link "
        "when a ticket under this agreement is resolved.",
    )
    auto_lifecycle = models.BooleanField(
        default=True, help_text="The worker activates the agreement when a signed version "
        "takes effect and expires it when the last one ends.")
    auto_review = models.BooleanField(
        default=True, help_text="The worker moves the agreement to under review when its "
        "review falls due.")
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self):
        return f"{self.reference} {self.name}"

    @property
    def reference(self) -> str:
        return f"{self.kind.upper()}-{self.pk or 0:04d}"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def reporting_zone(self) -> str:
        """The IANA zone of its reporting periods: ``reporting_time_zone`` if set, else its
        calendar's zone, else its customer's zone, else UTC."""
        if self.reporting_time_zone:
            return self.reporting_time_zone
        if self.calendar_id and self.calendar.tz:
            return self.calendar.tz
        if self.customer_id and self.customer.tz:
            return self.customer.tz
        return "UTC"

    @property
    def counterparty(self):
        """The customer, team or supplier on the other side (None for a corporate SLA)."""
        return {
            AgreementKind.SLA: self.customer,
            AgreementKind.OLA: self.team,
            AgreementKind.UC: self.supplier,
        }[self.kind]

    def counterparty_signatories(self):
        """Users who may sign for the counterparty."""
        party = self.counterparty
        if party is None:
            return get_user_model().objects.none()
        return party.members.all() if self.kind == AgreementKind.OLA else party.contacts.all()

    def latest_version(self):
        return self.versions.order_by("-number").first()

    def draft_version(self):
        return self.versions.filter(status=VersionStatus.DRAFT).first()

    def frozen_versions(self):
        return self.versions.filter(frozen_at__isnull=False)

    def version_in_force(self, at):
        """The latest agreed (frozen) version whose effective period contains ``at``.

        Reads ``versions.all()``, so a prefetch serves whole lists without extra queries.
        """
        covering = [v for v in self.versions.all() if v.is_frozen and v.covers(at)]
        return max(covering, key=lambda v: v.number, default=None)

    def has_signed_version(self) -> bool:
        return self.frozen_versions().exists()

    def single_service(self):
        """The one service of a service-scoped SLA (service-based or service level), else None."""
        if self.structure in (Structure.SERVICE_BASED, Structure.SERVICE_LEVEL):
            return self.services.first()
        return None

    def ancestors(self) -> list["Agreement"]:
        """Parent, grandparent, ...: the outer levels, innermost first."""
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


class FrozenGuardQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes that would touch a signed version's rows."""

    frozen_lookup = ""  # the lookup that is true for rows of frozen versions
    mutable_fields: frozenset = frozenset()

    def _frozen(self):
        return self.filter(**{self.frozen_lookup: False})

    def update(self, **kwargs):
        if set(kwargs) - self.mutable_fields and self._frozen().exists():
            raise DomainError("an agreed version and its targets cannot be changed")
        return super().update(**kwargs)

    def delete(self):
        if self._frozen().exists():
            raise DomainError("an agreed version and its targets cannot be deleted")
        return super().delete()


class VersionQuerySet(FrozenGuardQuerySet):
    frozen_lookup = "frozen_at__isnull"
    mutable_fields = frozenset({"status"})


class AgreementVersion(models.Model):
    agreement = models.ForeignKey(Agreement, models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True, help_text="The agreement's text for this version.")
    change_summary = models.CharField(max_length=300, blank=True)
    effective_from = models.DateTimeField(null=True, blank=True)
    effective_to = models.DateTimeField(null=True, blank=True, help_text="Empty: open-ended.")
    review_due = models.DateTimeField(
        null=True, blank=True, help_text="Default: one year after effective from."
    )
    status = models.CharField(
        max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    frozen_at = models.DateTimeField(null=True, blank=True)
    content = models.JSONField(default=dict, blank=True, help_text="Snapshot taken when frozen.")
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="uniq_version_number"),
            models.UniqueConstraint(
                fields=["agreement"], condition=models.Q(status="draft"),
                name="one_draft_version_per_agreement",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_from__isnull=True)
                | models.Q(effective_to__gt=models.F("effective_from")),
                name="version_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["agreement", "frozen_at"])]

    def __str__(self):
        return f"{self.agreement.reference} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).first()
            if stored is not None and stored.is_frozen:
                self._refuse_frozen_change(stored)
        super().save(*args, **kwargs)

    def _refuse_frozen_change(self, stored):
        changed = [
            f.name for f in self._meta.concrete_fields
            if f.name != "status" and getattr(stored, f.attname) != getattr(self, f.attname)
        ]
        if changed:
            raise DomainError(
                f"{stored} is agreed and frozen: {', '.join(changed)} cannot change; "
                "start a new draft version instead"
            )
        allowed = {stored.status, VersionStatus.SUPERSEDED}
        if self.status not in allowed:
            raise DomainError(f"{stored} is frozen: status cannot go back to {self.status}")

    def delete(self, *args, **kwargs):
        if type(self).objects.filter(pk=self.pk, frozen_at__isnull=False).exists():
            raise DomainError(f"{self} is agreed and frozen: it cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def covers(self, at) -> bool:
        """Whether ``at`` lies in [effective_from, effective_to)."""
        if self.effective_from is None or at < self.effective_from:
            return False
        return self.effective_to is None or at < self.effective_to


def _refuse_if_frozen(version_id, what: str):
    if AgreementVersion.objects.filter(pk=version_id, frozen_at__isnull=False).exists():
        raise DomainError(
            f"{what} belongs to an agreed, frozen version; start a new draft version instead"
        )


class ApprovalQuerySet(FrozenGuardQuerySet):
    frozen_lookup = "version__frozen_at__isnull"


class Approval(models.Model):
    """One party's sign-off of one version's content (identified by its hash)."""

    version = models.ForeignKey(AgreementVersion, models.PROTECT, related_name="approvals")
    party = models.CharField(max_length=16, choices=Party.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Who recorded the approval.",
    )
    signatory = models.CharField(max_length=150, help_text="The person who signed.")
    on_behalf = models.BooleanField(
        default=False, help_text="A provider SLM recorded the counterparty's signature."
    )
    signatory_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The person who signed (the contact, when recorded on their behalf).",
    )
    evidence = models.TextField(
        blank=True, help_text="Where the signed copy is (required on behalf)."
    )
    comment = models.TextField(blank=True)
    at = models.DateTimeField()
    content_hash = models.CharField(max_length=64)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidated_reason = models.CharField(max_length=200, blank=True)

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["version", "at", "id"]

    def __str__(self):
        return f"{self.version} approved by {self.signatory} ({self.party})"

    def save(self, *args, **kwargs):
        _refuse_if_frozen(self.version_id, "this approval")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_if_frozen(self.version_id, "this approval")
        return super().delete(*args, **kwargs)

    @property
    def is_valid(self) -> bool:
        return self.invalidated_at is None


class TargetQuerySet(FrozenGuardQuerySet):
    frozen_lookup = "version__frozen_at__isnull"


class Target(models.Model):
    """One service level target (SLT) of one version."""

    version = models.ForeignKey(AgreementVersion, models.CASCADE, related_name="targets")
    name = models.CharField(max_length=150, blank=True)
    metric = models.CharField(max_length=16, choices=Metric.choices)
    # Scope: empty means "any".
    service = models.ForeignKey(Service, models.PROTECT, null=True, blank=True, related_name="+")
    ticket_type = models.CharField(max_length=64, blank=True)
    priority = models.CharField(max_length=32, blank=True)
    calendar = models.ForeignKey(
        Calendar, models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Fixed calendar; empty = customer's, agreement's, service's, then 24x7 UTC.",
    )
    duration_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Time targets: business seconds."
    )
    percentage = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True,
        help_text="Availability, experience and ratio targets.",
    )
    objective_percent = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True,
        help_text="Share of tickets that must meet the target per period, e.g. 95.",
    )
    period = models.CharField(max_length=8, choices=Period.choices, default=Period.MONTH)
    warning_thresholds = models.JSONField(default=default_warnings, blank=True)
    start_condition = models.JSONField(null=True, blank=True)
    pause_condition = models.JSONField(null=True, blank=True)
    stop_condition = models.JSONField(null=True, blank=True)
    reset_condition = models.JSONField(null=True, blank=True)
    cancel_condition = models.JSONField(null=True, blank=True)
    reopen_policy = models.CharField(
        max_length=10, choices=ReopenPolicy.choices, default=ReopenPolicy.NEW_CYCLE
    )
    credit_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    credit_currency = models.CharField(max_length=3, blank=True)
    credit_percent = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True,
        help_text="Service credit per unit (see credit_basis) as a percentage of the monthly "
        "charge.",
    )
    credit_basis = models.CharField(
        max_length=24, choices=CreditBasis.choices, default=CreditBasis.PER_MISSED_OBJECTIVE,
        help_text="A credit is due per missed objective (default) or per breach.",
    )
    # Experience (XLA) targets: a measure per period against a threshold.
    measure = models.CharField(max_length=32, choices=ExperienceMeasure.choices, blank=True)
    threshold = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True,
                                    help_text="Experience targets; NPS may be negative.")
    direction = models.CharField(max_length=8, choices=Direction.choices, blank=True)
    min_responses = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Experience targets: fewer responses in a period give no verdict.",
    )
    position = models.PositiveIntegerField(default=0)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["version", "position", "id"]

    def __str__(self):
        return self.name or self.describe_key()

    def save(self, *args, **kwargs):
        _refuse_if_frozen(self.version_id, "this target")
        if self.pk:
            stored = Target.objects.filter(pk=self.pk).values_list("version_id", flat=True).first()
            if stored is not None:
                _refuse_if_frozen(stored, "this target")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_if_frozen(self.version_id, "this target")
        return super().delete(*args, **kwargs)

    @property
    def key(self) -> tuple:
        """What a target is about: metric + scope. Same key in an inner level overrides."""
        key = (self.metric, self.service_id, self.ticket_type, self.priority)
        # Experience targets of different measures live side by side.
        return key + (self.measure,) if self.metric == Metric.EXPERIENCE else key

    def describe_key(self) -> str:
        scope = [
            f"service {self.service}" if self.service_id else "",
            f"type {self.ticket_type}" if self.ticket_type else "",
            f"priority {self.priority}" if self.priority else "",
        ]
        return " ".join([self.get_metric_display(), *filter(None, scope)])

    @property
    def is_duration(self) -> bool:
        return self.metric in DURATION_METRICS


class PriorityMatrixCell(models.Model):
    """Impact × urgency → priority, for one agreement or (agreement empty) globally."""

    agreement = models.ForeignKey(
        Agreement, models.CASCADE, null=True, blank=True, related_name="priority_cells"
    )
    impact = models.CharField(max_length=32)
    urgency = models.CharField(max_length=32)
    priority = models.CharField(max_length=32)

    class Meta:
        ordering = ["agreement", "impact", "urgency"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "impact", "urgency"], name="uniq_priority_cell"
            ),
            models.UniqueConstraint(
                fields=["impact", "urgency"], condition=models.Q(agreement__isnull=True),
                name="uniq_global_priority_cell",
            ),
        ]

    def __str__(self):
        return f"impact {self.impact} × urgency {self.urgency} → {self.priority}"


class ServiceLevelRequirement(models.Model):
    """What a customer asked for, before it is agreed."""

    title = models.CharField(max_length=200)
    customer = models.ForeignKey(Customer, models.PROTECT, related_name="slrs")
    service = models.ForeignKey(
        Service, models.PROTECT, null=True, blank=True, related_name="slrs"
    )
    text = models.TextField(blank=True, help_text="The requirement in the customer's words.")
    requested_by = models.CharField(max_length=150, blank=True)
    # [{"metric": "resolution", "priority": "P1", "duration_seconds": 14400, ...}, ...]
    requested_targets = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=SlrStatus.choices, default=SlrStatus.CAPTURED
    )
    feasibility = models.CharField(max_length=8, choices=Feasibility.choices, blank=True)
    evaluation_notes = models.TextField(blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    evaluated_at = models.DateTimeField(null=True, blank=True)
    version = models.ForeignKey(
        AgreementVersion, models.SET_NULL, null=True, blank=True, related_name="slrs",
        help_text="The draft version its targets went into.",
    )
    converted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "service level requirement"

    def __str__(self):
        return f"SLR-{self.pk or 0:04d} {self.title}"
