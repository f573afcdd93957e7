"""``/documents``: list (filters), upload (multipart: file, title, kind and one of agreement,
review, action, plan), get, update (title, kind), new versions, download. Access follows the
object a document belongs to; files are served only from the names Accord stored them under."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from accord.accounts.auth import require
from accord.lib.errors import Forbidden, InvalidInput

from . import actions, documents, lookups, reviews
from .models import Document, Plan
from .schemas_more import DocumentOut, DocumentPatch

router = Router(tags=["documents"])


def _uploader(request):
    user = require(request, "record_minutes")  # analysts and up upload documents
    if user.is_portal:
        raise Forbidden("portal users do not upload documents")
    return user


@router.get("/documents", response=list[DocumentOut])
@paginate
def list_documents(request, agreement: int | None = None, review: int | None = None,
                   action: int | None = None, plan: int | None = None,
                   kind: str | None = None):
    found = documents.visible_documents(require(request, "view"))
    for name, value in (("agreement", agreement), ("review", review), ("action", action),
                        ("plan", plan)):
        if value is not None:
            found = found.filter(**{f"{name}_id": value})
    if kind is not None:
        found = found.filter(kind=kind)
    return found


def _owner(user, agreement, review, action, plan) -> dict:
    owner = {"agreement": None, "review": None, "action": None, "plan": None}
    if agreement not in (None, ""):
        owner["agreement"] = lookups.find_agreement(agreement, user)
    if review is not None:
        owner["review"] = reviews.visible_reviews(user).filter(pk=review).first()
        if owner["review"] is None:
            raise InvalidInput(f"no review {review}", "review")
    if action is not None:
        owner["action"] = actions.visible_actions(user).filter(pk=action).first()
        if owner["action"] is None:
            raise InvalidInput(f"no action {action}", "action")
    if plan is not None:
        owner["plan"] = Plan.objects.filter(pk=plan).first()
        if owner["plan"] is None:
            raise InvalidInput(f"no plan {plan}", "plan")
    return owner


@router.post("/documents", response={201: DocumentOut})
def upload_document(request, file: File[UploadedFile] = None, title: Form[str] = "",
                    kind: Form[str] = "evidence", agreement: Form[str] = None,
                    review: Form[int] = None, action: Form[int] = None,
                    plan: Form[int] = None):
    user = _uploader(request)
    owner = _owner(user, agreement, review, action, plan)
    return Status(201, documents.upload(by=user, now=timezone.now(), owner=owner, kind=kind,
                                        title=title, file=file))


def _get(request, document_id: int):
    user = require(request, "view")
    return user, get_object_or_404(documents.visible_documents(user), pk=document_id)


@router.get("/documents/{document_id}", response=DocumentOut)
def get_document(request, document_id: int):
    return _get(request, document_id)[1]


@router.patch("/documents/{document_id}", response=DocumentOut)
def update_document(request, document_id: int, body: DocumentPatch):
    _, found = _get(request, document_id)
    user = _uploader(request)
    return documents.update(found, by=user, values=body.dict(exclude_unset=True))


@router.post("/documents/{document_id}/versions", response={201: DocumentOut})
def add_version(request, document_id: int, file: File[UploadedFile] = None):
    _, found = _get(request, document_id)
    user = _uploader(request)
    documents.add_version(found, by=user, now=timezone.now(), file=file)
    return Status(201, Document.objects.prefetch_related("versions").get(pk=found.pk))


@router.get("/documents/{document_id}/download", response={200: None})
def download(request, document_id: int, version: int | None = None):
    """The file of one version (default: the latest), under the name it was uploaded as."""
    _, found = _get(request, document_id)
    versions = found.versions.order_by("-number")
    chosen = versions.filter(number=version).first() if version else versions.first()
    if chosen is None:
        raise InvalidInput(f"document {found.pk} has no version {version}", "version")
    response = FileResponse(chosen.file.open("rb"), content_type=chosen.content_type,
                            as_attachment=True, filename=chosen.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
