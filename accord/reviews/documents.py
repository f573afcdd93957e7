"""Documents: upload (type and size checked), new versions, who sees them (whoever sees the
object they belong to: a customer their agreement's documents and reviews', never another's;
actions are internal). Files are stored under names Accord makes, through Django's storage."""

import hashlib
import uuid
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q

from accord.accounts.choices import AuditAction
from accord.accounts.services import record_change, snapshot
from accord.agreements import queries as agreement_queries
from accord.lib.errors import InvalidInput

from .choices import DocumentKind
from .conf import setting
from .models import Document, DocumentVersion

ZIP = b"PK\x03\x04"
# extension -> (content type, leading bytes the file must start with; None: UTF-8 text)
TYPES = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".txt": ("text/plain", None),
    ".csv": ("text/csv", None),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    ".odt": ("application/vnd.oasis.opendocument.text", ZIP),
}
OWNERS = ("agreement", "review", "action", "plan")


def visible_documents(user):
    agreements = agreement_queries.visible_to(user).values("pk")
    seen = Q(agreement_id__in=agreements) | Q(review__agreement_id__in=agreements)
    if user.is_portal:
        seen |= Q(plan__agreement_id__in=agreements, plan__customer_facing=True)
    else:
        seen |= Q(plan__isnull=False) | Q(action__isnull=False)
    return Document.objects.filter(seen).prefetch_related("versions")


def checked_file(upload) -> tuple[bytes, str, str]:
    """(content, content type, safe original name) of an upload; InvalidInput naming
    ``file`` if its type or size is not accepted."""
    if upload is None:
        raise InvalidInput("file is required", "file")
    name = PurePath(str(upload.name or "").replace("\\", "/")).name[:200]
    ext = PurePath(name).suffix.lower()
    if ext not in TYPES:
        raise InvalidInput(f"file type {ext or '(none)'} is not accepted; use one of "
                           f"{', '.join(sorted(TYPES))}", "file")
    limit = setting("ACCORD_DOCUMENT_MAX_BYTES")
    if upload.size is not None and upload.size > limit:
        raise InvalidInput(f"file is larger than {limit} bytes", "file")
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise InvalidInput(f"file is larger than {limit} bytes", "file")
    if not content:
        raise InvalidInput("file is empty", "file")
    content_type, magic = TYPES[ext]
    if magic is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"a {ext} file must be UTF-8 text", "file")
    elif not content.startswith(magic):
        raise InvalidInput(f"the file's content is not {ext[1:].upper()}", "file")
    return content, content_type, name


def _store(document: Document, number: int, upload, by, now) -> DocumentVersion:
    content, content_type, name = checked_file(upload)
    version = DocumentVersion(document=document, number=number, original_name=name,
                              content_type=content_type, size=len(content),
                              sha256=hashlib.sha256(content).hexdigest(), uploaded_by=by,
                              uploaded_at=now)
    stored = f"{document.pk}/{uuid.uuid4().hex}{PurePath(name).suffix.lower()}"
    version.file.save(stored, ContentFile(content), save=False)
    version.save()
    return version


def upload(*, by, now, owner: dict, kind: str, title: str, file) -> Document:
    """A new document of exactly one owner ({"agreement": obj} etc.), version 1."""
    if kind not in DocumentKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(DocumentKind.values)}", "kind")
    given = {k: v for k, v in owner.items() if v is not None}
    if len(given) != 1:
        raise InvalidInput("a document belongs to exactly one of agreement, review, action, "
                           "plan", "agreement")
    title = (title or "").strip() or (PurePath(str(getattr(file, "name", ""))).name[:200])
    checked_file(file)  # refuse before writing anything
    file.seek(0)
    with transaction.atomic():
        document = Document.objects.create(title=title[:200], kind=kind, created_by=by,
                                           created_at=now, **given)
        version = _store(document, 1, file, by, now)
        record_change(by, document, AuditAction.CREATE,
                      message=f"document uploaded ({version.original_name}, {version.size} B)")
    return document


def add_version(document: Document, *, by, now, file) -> DocumentVersion:
    checked_file(file)
    file.seek(0)
    with transaction.atomic():
        Document.objects.select_for_update().filter(pk=document.pk).first()
        number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = _store(document, number, file, by, now)
        record_change(by, document, AuditAction.UPDATE,
                      changes={"version": [number - 1, number]},
                      message=f"version {number} uploaded ({version.original_name})")
    return version


def update(document: Document, *, by, values: dict) -> Document:
    before = snapshot(document)
    if "title" in values:
        title = (values["title"] or "").strip()
        if not title:
            raise InvalidInput("title cannot be empty", "title")
        document.title = title[:200]
    if "kind" in values:
        if values["kind"] not in DocumentKind.values:
            raise InvalidInput(f"kind must be one of {', '.join(DocumentKind.values)}", "kind")
        document.kind = values["kind"]
    with transaction.atomic():
        document.save()
        record_change(by, document, AuditAction.UPDATE, before=before, after=snapshot(document))
    return document
