"""Service improvement plans and the risk register (imported into ``models``)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accord.agreements.models import Agreement, Target
from accord.catalogue.models import Service

from .choices import PlanStatus, RiskState

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class Plan(models.Model):
    """A service improvement plan: what falls short, what it addresses, milestones, actions
    and risks; approved (an SLM, or the customer for customer-facing plans) before it
    starts."""

    title = models.CharField(max_length=200)
    shortfall = models.TextField(help_text="The shortfall it addresses, in words.")
    agreement = models.ForeignKey(Agreement, models.PROTECT, related_name="plans")
    service = models.ForeignKey(Service, models.SET_NULL, null=True, blank=True,
                                related_name="+")
    customer_facing = models.BooleanField(default=False)
    targets = models.ManyToManyField(Target, blank=True, related_name="+")
    breaches = models.ManyToManyField("measurement.Clock", blank=True, related_name="+")
    milestones = models.JSONField(default=list, blank=True,
                                  help_text='[{"title": ..., "due": "2025-05-01", "done": false}]')
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                              related_name="+")
    status = models.CharField(max_length=16, choices=PlanStatus.choices,
                              default=PlanStatus.DRAFT)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    created_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"plan #{self.pk} {self.title}"


class Risk(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    service = models.ForeignKey(Service, models.CASCADE, null=True, blank=True,
                                related_name="+")
    agreement = models.ForeignKey(Agreement, models.CASCADE, null=True, blank=True,
                                  related_name="+")
    plan = models.ForeignKey(Plan, models.SET_NULL, null=True, blank=True,
                             related_name="risks")
    likelihood = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    impact = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    score = models.PositiveSmallIntegerField(editable=False,
                                             help_text="likelihood × impact (1-25).")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                              related_name="+")
    status = models.CharField(max_length=16, choices=RiskState.choices,
                              default=RiskState.OPEN)
    review_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-score", "id"]
        indexes = [models.Index(fields=["status", "-score"], name="risk_status_score")]

    def __str__(self):
        return f"risk #{self.pk} {self.title} ({self.score})"

    def save(self, *args, **kwargs):
        self.score = self.likelihood * self.impact
        super().save(*args, **kwargs)
