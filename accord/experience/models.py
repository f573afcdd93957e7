"""Feedback (satisfaction, effort, NPS, complaints, compliments, comments) and survey
invitations. Feedback is stored once per (source, feedback_id), like ticket events."""

from django.conf import settings
from django.db import models

from accord.agreements.models import Agreement
from accord.catalogue.models import Customer, Service
from accord.measurement.models import Ticket

from .choices import FeedbackKind, InviteState


class Feedback(models.Model):
    source = models.CharField(max_length=64)
    feedback_id = models.CharField(max_length=128, help_text="Its id within its source.")
    ticket = models.ForeignKey(Ticket, models.SET_NULL, null=True, blank=True,
                               related_name="feedback")
    ticket_source = models.CharField(max_length=64, blank=True)
    ticket_ref = models.CharField(max_length=128, blank=True, help_text="The ticket_id sent.")
    service = models.ForeignKey(Service, models.SET_NULL, null=True, blank=True,
                                related_name="feedback")
    customer = models.ForeignKey(Customer, models.SET_NULL, null=True, blank=True,
                                 related_name="feedback")
    at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=FeedbackKind.choices)
    score = models.SmallIntegerField(null=True, blank=True)
    scale = models.PositiveSmallIntegerField(null=True, blank=True,
                                             help_text="The top of the score's scale.")
    text = models.TextField(blank=True)
    respondent = models.CharField(max_length=254, blank=True)
    channel = models.CharField(max_length=64, blank=True)
    agreements = models.ManyToManyField(Agreement, blank=True, related_name="feedback",
                                        through="FeedbackAgreement")
    content_hash = models.CharField(max_length=64)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   blank=True, related_name="+",
                                   help_text="Who entered it by hand (complaints, compliments).")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "feedback_id"],
                                               name="uniq_feedback_per_source")]
        indexes = [models.Index(fields=["kind", "at"], name="feedback_kind_at"),
                   models.Index(fields=["service", "at"], name="feedback_service_at")]

    def __str__(self):
        return f"{self.source}:{self.feedback_id} ({self.kind})"


class FeedbackAgreement(models.Model):
    """Feedback belongs to an agreement. The fields the XLA measures read are copied here
    (feedback is never edited), so a period's aggregate is one range of the
    (agreement, kind, at) index instead of a lookup per feedback row."""

    feedback = models.ForeignKey(Feedback, models.CASCADE, related_name="links")
    agreement = models.ForeignKey(Agreement, models.CASCADE, related_name="feedback_links")
    at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=FeedbackKind.choices)
    score = models.SmallIntegerField(null=True, blank=True)
    scale = models.PositiveSmallIntegerField(null=True, blank=True)
    service = models.ForeignKey(Service, models.SET_NULL, null=True, blank=True,
                                related_name="+", db_constraint=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feedback", "agreement"],
                                               name="uniq_feedback_agreement")]
        indexes = [models.Index(fields=["agreement", "kind", "at"],
                                name="feedback_link_measure")]


def link(feedback: Feedback, agreement_ids) -> None:
    """Attach ``feedback`` to these agreements (with the copied fields)."""
    FeedbackAgreement.objects.bulk_create([
        FeedbackAgreement(feedback=feedback, agreement_id=pk, at=feedback.at, kind=feedback.kind,
                          score=feedback.score, scale=feedback.scale,
                          service_id=feedback.service_id) for pk in set(agreement_ids)])


class SurveyInvite(models.Model):
    """One survey link for one resolution of one ticket (``resolved_at`` names the cycle)."""

    ticket = models.ForeignKey(Ticket, models.CASCADE, related_name="survey_invites")
    resolved_at = models.DateTimeField()
    agreement = models.ForeignKey(Agreement, models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    state = models.CharField(max_length=12, choices=InviteState.choices)
    recipient = models.CharField(max_length=254, blank=True)
    nonce = models.CharField(max_length=32)
    expires_at = models.DateTimeField()
    feedback = models.OneToOneField(Feedback, models.SET_NULL, null=True, blank=True,
                                    related_name="invite")
    created_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "resolved_at"],
                                               name="uniq_invite_per_resolution")]

    def __str__(self):
        return f"survey {self.ticket} resolved {self.resolved_at.isoformat()}"
