"""The API's error answers, documented on every operation in one place.

Handlers in ``accord.api`` answer every refusal in one shape, ``{"detail": ...}``: a text for
401 and 404, a list of ``{msg, loc?, type?}`` items for 403, 409 and 422 (``loc`` names the
field). ``AccordAPI`` adds those answers to each operation of the OpenAPI document, so client
generators and schemathesis agree with the server without a note on each decorator.
"""

import functools
from typing import Any

from ninja import NinjaAPI
from pydantic import BaseModel, ConfigDict, Field

from accord.lib.errors import DomainError

ERROR_SCHEMA = "ApiError"


class ErrorItem(BaseModel):
    model_config = ConfigDict(extra="allow")

    msg: str = Field(description="What was wrong.")
    loc: list[str | int] | None = Field(
        None, description='Where: e.g. ["body", "steps", 1, "threshold"] or ["query", "limit"].')
    type: str | None = None


class ApiError(BaseModel):
    """Every 4xx answer of the API."""

    detail: str | list[ErrorItem]


# status -> (description, applies to the operation?)
ERRORS = {
    401: ("Not signed in: send 'Authorization: Bearer <token>' (or a session cookie).",
          lambda method, path, secured, op: secured),
    403: ("Signed in, but your role (or a read-only token) may not do this.",
          lambda method, path, secured, op: secured),
    404: ("No such object, or not one you may see (in the path, or named by a query "
          "parameter such as ?agreement= or ?customer=).",
          lambda method, path, secured, op: "{" in path or any(
              p.get("in") == "query" for p in op.get("parameters", []))),
    409: ("Well-formed, but the rules do not allow it now (e.g. a signed version).",
          lambda method, path, secured, op: method != "get"),
    422: ("Bad input: each item names the field and what was wrong; nothing was changed.",
          lambda method, path, secured, op: True),
}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def add_error_responses(schema: dict) -> dict:
    """Add the error answers that apply to each operation of ``schema`` (an OpenAPI dict);
    answers an operation documents itself are kept."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_json = ApiError.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_json.pop("$defs", {}))
    components[ERROR_SCHEMA] = error_json
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}}
    secured_by_default = bool(schema.get("security"))
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            secured = bool(operation.get("security", secured_by_default))
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for status, (description, applies) in ERRORS.items():
                if applies(method, path, secured, operation) and str(status) not in responses \
                        and status not in responses:
                    responses[str(status)] = {"description": description, "content": content}
    return schema


class AccordAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document lists the error answers of every operation."""

    def get_openapi_schema(self, *args, **kwargs):
        return add_error_responses(super().get_openapi_schema(*args, **kwargs))


def locate_fields(view_func):
    """An API-wide operation decorator: a ``DomainError`` whose field is one of the operation's
    query, path or form parameters is located there (``loc: ["query", "month"]``), not in the
    body. Services name fields without knowing how they arrived; the operation knows."""
    operation = getattr(view_func, "_ninja_operation", None)
    sources = {
        name: model.__ninja_param_source__
        for model in getattr(getattr(operation, "signature", None), "models", ())
        for name in getattr(model, "__ninja_flatten_map__", {})
    }
    if not sources:
        return view_func

    @functools.wraps(view_func)
    def located(request, *args, **kwargs):
        try:
            return view_func(request, *args, **kwargs)
        except DomainError as exc:
            if exc.field and exc.location is None:
                exc.location = sources.get(exc.field.split(".")[0])
            raise

    return located
