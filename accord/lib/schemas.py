"""Types every request body shares: strict ids and integers, bodies that are JSON objects.

pydantic's lax mode turns ``true`` into ``1`` (so ``{"owner": true}`` named user 1) and ninja
reads any JSON value as an object with attributes (so a JSON array as a PATCH body changed
nothing and answered 200). Request schemas derive from ``In`` and type their ids as ``Id``.
"""

from typing import Annotated

from ninja import Schema
from pydantic import Field, Strict, model_validator

DB_MAX_INT = 2**63 - 1  # the largest integer a database column (bigint) holds

# A row's id in a request body: a JSON integer (not true, not "3", not 3.0), 1 or more.
Id = Annotated[int, Strict(), Field(ge=1, le=DB_MAX_INT)]
# Any other integer in a request body: a JSON integer, never a boolean.
Int = Annotated[int, Strict(), Field(ge=-DB_MAX_INT, le=DB_MAX_INT)]

_JSON_TYPES = ((bool, "a boolean"), (int, "a number"), (float, "a number"), (str, "a string"),
               (list, "an array"), (tuple, "an array"), (bytes, "a string"))


class In(Schema):
    """Base of every request body: the body, and each object nested in it, must be a JSON
    object; anything else is a 422 naming it."""

    # ninja's Schema wraps any input in an attribute getter first (its own wrap validator of
    # this name); replacing it checks the raw input before that happens.
    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):
        for kind, name in _JSON_TYPES:
            if isinstance(values, kind):
                raise ValueError(f"must be a JSON object, not {name}")
        return super()._run_root_validator(values, handler, info)
