from django.conf import settings
from django.db import models

from .choices import ComponentKind, Criticality, ServiceStatus

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Calendar(models.Model):
    """Business hours in an IANA time zone, stored as the plain dict form of
    ``accord.clock.BusinessCalendar`` (see ``to_business_calendar``)."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    tz = models.CharField("time zone", max_length=64, default="UTC")
    # {"mon": [["08:00", "18:00"]], ...}; absent day = closed.
    hours = models.JSONField(default=dict, blank=True)
    always_open = models.BooleanField(default=False, help_text="24x7: ignores hours.")
    holidays = models.JSONField(default=list, blank=True, help_text="ISO dates, closed all day.")
    country = models.CharField(max_length=8, blank=True, help_text="Public holidays, e.g. GB.")
    subdivision = models.CharField(max_length=16, blank=True, help_text="e.g. ENG.")
    # {"2025-12-24": [["08:00", "12:00"]]}: dated hours replacing the weekday's.
    exceptions = models.JSONField(default=dict, blank=True)
    # [["2025-06-01T10:00:00+00:00", "2025-06-01T12:00:00+00:00"], ...] closures from iCalendar.
    closures = models.JSONField(default=list, blank=True)
    # Goes up by one with every change, so stored clocks can tell they need a recompute.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def spec(self) -> dict:
        """The keyword arguments of ``accord.clock.BusinessCalendar`` for this row."""
        hours = self.hours
        if self.always_open:
            hours = {day: [["00:00", "24:00"]] for day in DAYS}
        return {
            "tz": self.tz,
            "hours": hours,
            "holidays": self.holidays,
            "country": self.country or None,
            "subdivision": self.subdivision or None,
            "exceptions": self.exceptions,
            "closures": self.closures,
        }


class Customer(models.Model):
    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    calendar = models.ForeignKey(Calendar, models.PROTECT, null=True, blank=True, related_name="+")
    tz = models.CharField(
        "time zone", max_length=64, blank=True,
        help_text="Where the customer works; agreement hours apply in this zone when set.",
    )
    contact_email = models.EmailField(blank=True)
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="customers",
        help_text="People who sign for this customer and see its portal.",
    )
    leadership = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+",
        help_text="Leaders escalations and the leadership view reach for this customer.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    calendar = models.ForeignKey(Calendar, models.PROTECT, null=True, blank=True, related_name="+")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Supplier(models.Model):
    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    calendar = models.ForeignKey(Calendar, models.PROTECT, null=True, blank=True, related_name="+")
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="suppliers"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Service(models.Model):
    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
        related_name="owned_services",
    )
    criticality = models.PositiveSmallIntegerField(
        choices=Criticality.choices, default=Criticality.MEDIUM
    )
    status = models.CharField(
        max_length=16, choices=ServiceStatus.choices, default=ServiceStatus.PIPELINE
    )
    calendar = models.ForeignKey(
        Calendar, models.PROTECT, null=True, blank=True, related_name="services",
        help_text="Service hours.",
    )
    leadership = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+",
        help_text="Leaders escalations and the leadership view reach for this service.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def may_be_changed_by(self, user) -> bool:
        """Service level managers change any service; a service owner only their own."""
        if user.can("change_catalogue"):
            return True
        return user.can("change_own_service") and self.owner_id == user.pk


class Component(models.Model):
    """A configuration item a service depends on."""

    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=24, choices=ComponentKind.choices)
    description = models.TextField(blank=True)
    supplier = models.ForeignKey(
        Supplier, models.SET_NULL, null=True, blank=True, related_name="components"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class RedundancyGroup(models.Model):
    """Members of the group back each other up: the group is up while ``min_up`` are up."""

    service = models.ForeignKey(Service, models.CASCADE, related_name="redundancy_groups")
    name = models.CharField(max_length=100)
    min_up = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["service", "name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="uniq_group_per_service")
        ]

    def __str__(self):
        return f"{self.service} / {self.name}"


class Dependency(models.Model):
    """``service`` needs ``depends_on_service`` or ``depends_on_component``: in series when
    ``group`` is empty, otherwise as one member of a redundancy group."""

    service = models.ForeignKey(Service, models.CASCADE, related_name="dependencies")
    depends_on_service = models.ForeignKey(
        Service, models.CASCADE, null=True, blank=True, related_name="dependents"
    )
    depends_on_component = models.ForeignKey(
        Component, models.CASCADE, null=True, blank=True, related_name="dependents"
    )
    group = models.ForeignKey(
        RedundancyGroup, models.CASCADE, null=True, blank=True, related_name="members"
    )

    class Meta:
        verbose_name_plural = "dependencies"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(depends_on_service__isnull=False, depends_on_component__isnull=True)
                    | models.Q(depends_on_service__isnull=True, depends_on_component__isnull=False)
                ),
                name="dependency_has_exactly_one_target",
            ),
        ]

    def __str__(self):
        how = f" (in {self.group.name})" if self.group_id else ""
        return f"{self.service} → {self.target}{how}"

    @property
    def target(self):
        return self.depends_on_service or self.depends_on_component
