"""Values no database here stores faithfully, found before they reach one.

PostgreSQL refuses a NUL character in text and in JSON, SQLite cannot encode a lone
surrogate (half of a UTF-16 pair, which JSON's ``\\ud800`` escape produces) in UTF-8, and
neither JSON column holds NaN or an infinity (``1e400`` parses as one). Each of these used
to surface as a database error for a whole batch; here they are named, with the path of the
value, so the caller rejects only the item that carries them.
"""

import json
import math
from collections.abc import Mapping

NUL = "\x00"


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None."""
    if NUL in value:
        return "contains a NUL character (\\u0000), which cannot be stored"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return ("contains a lone surrogate (\\ud800-\\udfff), which is not valid "
                    "Unicode and cannot be stored")
    return None


def find_problem(value, path: tuple = (), *, max_text: int | None = None):
    """The first value inside ``value`` (dicts, lists, texts, numbers; keys included) that
    cannot be stored, as (path, reason), or None. ``max_text`` also bounds each text."""
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            reason = text_problem(item)
            if reason is None and max_text is not None and len(item) > max_text:
                reason = f"{len(item):,} characters, more than the {max_text:,} allowed"
            if reason:
                return where, reason
        elif isinstance(item, float):
            if not math.isfinite(item):
                return where, (f"{item} is not a JSON number (NaN and infinities, such as a "
                               "number beyond ±1.8e308, cannot be stored)")
        elif isinstance(item, Mapping):
            children = []
            for key, child in item.items():
                if isinstance(key, str) and (reason := text_problem(key)):
                    return (*where, key), f"the key {reason}"
                children.append(((*where, key), child))
            stack.extend(reversed(children))
        elif isinstance(item, list | tuple):
            stack.extend(reversed([((*where, i), child) for i, child in enumerate(item)]))
    return None


def _strict_encoder():
    """JSON text as stored (UTF-8, no ASCII escapes), refusing NaN and infinities."""
    return json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                            check_circular=False).encode


strict_json = _strict_encoder()


def json_problem(value, *, max_bytes: int | None = None, max_text: int | None = None):
    """(path, reason) for a JSON value that cannot be stored, or is larger than
    ``max_bytes`` once encoded (path ``()``), or holds a text longer than ``max_text``; None
    when it is fine. One encoding when it is fine; the walk only when something is wrong."""
    try:
        encoded = strict_json(value).encode("utf-8")
    except RecursionError:
        return (), "nested too deeply"
    except (ValueError, TypeError) as exc:  # NaN, infinity, lone surrogate, not JSON
        found = find_problem(value, max_text=max_text)
        return found or ((), str(exc))
    if b"\\u0000" in encoded or max_text is not None and len(encoded) > max_text:
        found = find_problem(value, max_text=max_text)
        if found:
            return found
    if max_bytes is not None and len(encoded) > max_bytes:
        return (), (f"{len(encoded):,} bytes once encoded as JSON, more than the "
                    f"{max_bytes:,} allowed")
    return None
