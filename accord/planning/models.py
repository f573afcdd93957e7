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
