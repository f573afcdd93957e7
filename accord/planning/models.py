from django.conf import settings
from django.db import models


class FitAcknowledgement(models.Model):
    """Someone signing an SLA whose OLA/UC targets do not fit it said so, and why."""

    version = models.ForeignKey("agreements.AgreementVersion", models.CASCADE,
                                related_name="fit_acknowledgements")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                           related_name="+")
    reason = models.TextField()
    misfits = models.JSONField(default=list, help_text="The misfits acknowledged.")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"fit acknowledged for {self.version} by {self.by or 'system'}"


class AgreementTemplate(models.Model):
    """A standard agreement (SLA, OLA or UC) to start new ones from. Versioned: a change is
    a new row with the next ``number`` of the same ``name``; the highest is current.

    ``sections``: [{"title", "text"}] with placeholders {customer}, {service}, {team},
    {supplier}, {effective_from}. ``targets``: agreement-file targets (see ``ascode``:
    metric, priority, type, duration "4h", percentage, objective_percent, calendar by name).
    ``priority_matrix``: [{"impact", "urgency", "priority"}]. ``escalation_steps``: the steps
    of the escalation policy each new agreement gets (escalation's step format)."""

    name = models.CharField(max_length=150)
    number = models.PositiveIntegerField(default=1)
    kind = models.CharField(max_length=8, choices=[("sla", "SLA"), ("ola", "OLA"),
                                                   ("uc", "UC")])
    structure = models.CharField(max_length=16, blank=True)
    description = models.TextField(blank=True)
    sections = models.JSONField(default=list, blank=True)
    targets = models.JSONField(default=list, blank=True)
    priority_matrix = models.JSONField(default=list, blank=True)
    calendar = models.ForeignKey("catalogue.Calendar", models.PROTECT, null=True, blank=True,
                                 related_name="+")
    escalation_steps = models.JSONField(default=list, blank=True)
    review_cadence_months = models.PositiveSmallIntegerField(default=12)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   blank=True, related_name="+")

    class Meta:
        ordering = ["name", "-number"]
        constraints = [models.UniqueConstraint(fields=["name", "number"],
                                               name="uniq_template_version")]

    def __str__(self):
        return f"{self.name} (template v{self.number})"
