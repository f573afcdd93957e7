"""Types every request body shares: ids and numbers that are JSON numbers, bodies that are
JSON objects.

pydantic's lax mode turns ``true`` into ``1`` (so ``{"owner": true}`` named user 1) and ninja
reads any JSON value as an object with attributes (so a JSON array as a PATCH body changed
nothing and answered 200). Request schemas derive from ``In`` and type their ids as ``Id``.
"""

from typing import Annotated

from ninja import Schema
from pydantic import BeforeValidator, Field, model_validator

DB_MAX_INT = 2**63 - 1  # the largest integer a database column (bigint) holds


def _json_number(value):
    # JSON Schema's "integer" and "number" take 3 and 3.0, never true or "3": pydantic's lax
    # mode took both (true became user 1), its strict mode refuses 3.0.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a JSON number, not " + _json_type(value))
    return value


# A row's id in a request body: a JSON integer, 1 or more.
Id = Annotated[int, BeforeValidator(_json_number), Field(ge=1, le=DB_MAX_INT)]
# Any other integer in a request body.
Int = Annotated[int, BeforeValidator(_json_number), Field(ge=-DB_MAX_INT, le=DB_MAX_INT)]
# A fraction in a request body.
Number = Annotated[float, BeforeValidator(_json_number)]

_JSON_TYPES = ((bool, "a boolean"), (int, "a number"), (float, "a number"), (str, "a string"),
               (list, "an array"), (tuple, "an array"), (bytes, "a string"))


def _json_type(value) -> str:
    if value is None:
        return "null"
    for kind, name in _JSON_TYPES:
        if isinstance(value, kind):
            return name
    return "an object"


class In(Schema):
    """Base of every request body: the body, and each object nested in it, must be a JSON
    object; anything else is a 422 naming it."""

    # ninja's Schema wraps any input in an attribute getter first (its own wrap validator of
    # this name); replacing it checks the raw input before that happens.
    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):
        if isinstance(values, tuple(kind for kind, _ in _JSON_TYPES)):
            raise ValueError(f"must be a JSON object, not {_json_type(values)}")
        return super()._run_root_validator(values, handler, info)
