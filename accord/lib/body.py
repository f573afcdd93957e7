"""Reading a JSON request body strictly: what cannot be parsed, or holds a value no database
stores (NaN, an infinity, a NUL, a lone surrogate), is one ``UnreadableBody`` naming where.

``StrictParser`` is the API's parser for operations with a body schema; an endpoint that
reads its own body (event intake) calls ``loads`` directly.
"""

import json

from ninja.parser import Parser

from .jsonsafe import find_problem


class UnreadableBody(ValueError):
    """The body is not JSON we accept. ``loc`` is ["body", ...path of the bad value]."""

    def __init__(self, msg: str, loc: tuple = ()):
        super().__init__(msg)
        self.msg = msg
        self.loc = ["body", *loc]

    def detail(self) -> list[dict]:
        return [{"type": "json_invalid", "loc": self.loc, "msg": self.msg}]


def _no_constant(name):
    raise ValueError(f"{name} is not valid JSON (NaN and infinities cannot be stored)")


def loads(raw, *, strict_values: bool = True):
    """The parsed body. ``strict_values=False`` leaves bad values inside it to the caller
    (intake rejects the item that holds them, not the whole body)."""
    try:
        if strict_values:
            value = json.loads(raw, parse_constant=_no_constant)
        else:
            value = json.loads(raw)
    except RecursionError:
        raise UnreadableBody("the body is nested too deeply to be read") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, NaN, int too long
        raise UnreadableBody(f"the body is not valid JSON: {exc}") from None
    if strict_values:
        found = find_problem(value)
        if found:
            path, reason = found
            raise UnreadableBody(reason, path)
    return value


class StrictParser(Parser):
    def parse_body(self, request):
        return loads(request.body)
