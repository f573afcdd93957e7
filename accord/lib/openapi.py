"""The API's error answers, documented on every operation in one place.

Handlers in ``accord.api`` answer every refusal in one shape, ``{"detail": ...}``: a text for
401 and 404, a list of ``{msg, loc?, type?}`` items for 403, 409 and 422 (``loc`` names the
field). ``AccordAPI`` adds those answers to each operation of the OpenAPI document, so client
generators and schemathesis agree with the server without a note on each decorator.
"""

from typing import Any

from ninja import NinjaAPI
from pydantic import BaseModel, ConfigDict, Field

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
          lambda method, path, secured: secured),
    403: ("Signed in, but your role (or a read-only token) may not do this.",
          lambda method, path, secured: secured),
    404: ("No such object, or not one you may see.",
          lambda method, path, secured: "{" in path),
    409: ("Well-formed, but the rules do not allow it now (e.g. a signed version).",
          lambda method, path, secured: method != "get"),
    422: ("Bad input: each item names the field and what was wrong; nothing was changed.",
          lambda method, path, secured: True),
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
                if applies(method, path, secured) and str(status) not in responses \
                        and status not in responses:
                    responses[str(status)] = {"description": description, "content": content}
    return schema


class AccordAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document lists the error answers of every operation."""

    def get_openapi_schema(self, *args, **kwargs):
        return add_error_responses(super().get_openapi_schema(*args, **kwargs))
