"""Documents: versioned attachments of an agreement, review, action or plan, stored through
Django's storage API under names Accord chooses (never a path a user gave)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, InvalidStorageError, storages
from django.db import models
from django.db.models import Q

from .choices import DocumentKind
from .conf import setting


class DocumentStorage(FileSystemStorage):
    """A local directory: ACCORD_DOCUMENTS_DIR, default DATA_DIR/documents (read at each
    use, so the setting can change at run time)."""

    @property
    def base_location(self):
        return setting("ACCORD_DOCUMENTS_DIR") or str(settings.DATA_DIR / "documents")

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def document_storage():
    """The "documents" entry of STORAGES if configured, else ``DocumentStorage``."""
    try:
        return storages["documents"]
    except InvalidStorageError:
        return DocumentStorage()


class Document(models.Model):
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    agreement = models.ForeignKey("agreements.Agreement", models.CASCADE, null=True,
                                  blank=True, related_name="+")
    review = models.ForeignKey("reviews.Review", models.CASCADE, null=True, blank=True,
                               related_name="documents")
    action = models.ForeignKey("reviews.Action", models.CASCADE, null=True, blank=True,
                               related_name="documents")
    plan = models.ForeignKey("reviews.Plan", models.CASCADE, null=True, blank=True,
                             related_name="documents")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(
            name="document_belongs_to_one_object",
            condition=(Q(agreement__isnull=False, review__isnull=True, action__isnull=True,
                         plan__isnull=True)
                       | Q(agreement__isnull=True, review__isnull=False, action__isnull=True,
                           plan__isnull=True)
                       | Q(agreement__isnull=True, review__isnull=True, action__isnull=False,
                           plan__isnull=True)
                       | Q(agreement__isnull=True, review__isnull=True, action__isnull=True,
                           plan__isnull=False)))]

    def __str__(self):
        return f"document #{self.pk} {self.title}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(storage=document_storage, max_length=255)
    original_name = models.CharField(max_length=255, help_text="As uploaded; never a path.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"],
                                               name="uniq_document_version")]

    def __str__(self):
        return f"{self.document} v{self.number}"
