"""The REST API at /api/v1 (OpenAPI at /api/v1/openapi.json). Mounts each app's router."""

from django.db import DataError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from accord.accounts.api import router as accounts_router
from accord.accounts.auth import API_AUTH
from accord.agreements.api import router as agreements_router
from accord.catalogue.api import router as catalogue_router
from accord.connectors.api import hooks as connector_hooks
from accord.connectors.api import router as connectors_router
from accord.escalation.api import router as escalation_router
from accord.experience.api import router as experience_router
from accord.lib.body import StrictParser, UnreadableBody
from accord.lib.errors import DomainError
from accord.lib.openapi import (
    AccordAPI,  # documents the 4xx answers on every operation
    locate_fields,
)
from accord.measurement.api import router as measurement_router
from accord.planning.api import router as planning_router
from accord.reporting.api import router as reporting_router
from accord.reviews.api import router as reviews_router

api = AccordAPI(
    title="Accord API",
    version="1",
    description="Service Level Management: catalogue, agreements, clocks, escalation.",
    auth=API_AUTH,
    urls_namespace="api",
    parser=StrictParser(),
    # No deep-link anchors inside Swagger UI's operation buttons (nested controls fail WCAG).
    docs=Swagger(settings={"deepLinking": False}),
)
# A domain error about a query or path parameter says so in its loc (not "body").
api.add_decorator(locate_fields)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    detail = {"msg": exc.message}
    if exc.field:
        detail["loc"] = [exc.location or "body",
                         *(int(p) if p.isdigit() else p for p in exc.field.split("."))]
    return api.create_response(request, {"detail": [detail]}, status=exc.status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": "authentication required: send 'Authorization: Bearer <token>'"},
        status=401,
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "not found"}, status=404)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request, exc):
    # A number or text the database cannot hold (SQLite raises OverflowError, PostgreSQL
    # DataError): bad input, so 422, and nothing was written.
    return api.create_response(
        request, {"detail": [{"msg": f"a value is out of range for the database: {exc}"}]},
        status=422,
    )


@api.exception_handler(Exception)
def server_error(request, exc):
    # Not ninja's development answer (the traceback as text, messages quoting the request's
    # data): Django's, through accord.lib.reporting, which withholds that data.
    raise exc


@api.exception_handler(UnreadableBody)
@api.exception_handler(HttpError)
def unreadable_body(request, exc):
    # A body that cannot be read (ninja wraps the parser's error in a 400): one 422 naming
    # the body, or the value inside it that no database can store.
    cause = exc if isinstance(exc, UnreadableBody) else exc.__cause__
    if isinstance(cause, UnreadableBody):
        return api.create_response(request, {"detail": cause.detail()}, status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(MultiPartParserError)
def unreadable_multipart(request, exc):
    # A multipart upload whose parts cannot be read: bad input like any unreadable body.
    return api.create_response(
        request, {"detail": [{"msg": f"the multipart body cannot be read: {exc}",
                              "loc": ["body"]}]}, status=422)


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    return api.create_response(request, {"detail": exc.errors}, status=422)


api.add_router("/", accounts_router)
api.add_router("/", catalogue_router)
api.add_router("/", agreements_router)
api.add_router("/", measurement_router)
api.add_router("/", escalation_router)
api.add_router("/", connectors_router)
api.add_router("/", connector_hooks)
api.add_router("/", reporting_router)
api.add_router("/", reviews_router)
api.add_router("/", experience_router)
api.add_router("/", planning_router)
