"""A file that breaks off part way (a cut .gz, garbled XML, bytes in another encoding): the
import keeps what was read before, with its clocks, and says where and why it stopped.

``guarded`` wraps an importer's rows: when reading fails it records the place and the reason
on the summary and ends the rows, so the run stores and measures everything read before
(or, when nothing was read, raises ``UnusableInput``: nothing is stored).
"""

import csv
import zlib

from .base import BrokenFile, UnusableInput

# What reading a broken file raises, whatever its format.
READ_ERRORS = (EOFError, OSError, zlib.error, UnicodeDecodeError, csv.Error, BrokenFile)


def reason(exc: BaseException) -> str:
    """What is wrong with the file, in words."""
    if isinstance(exc, EOFError):
        return "the file is truncated (its compressed data ends early)"
    if isinstance(exc, zlib.error) or exc.__class__.__name__ == "BadGzipFile":
        return f"the compressed data is corrupt ({exc})"
    if isinstance(exc, UnicodeDecodeError):
        byte = exc.object[exc.start:exc.start + 1].hex() if exc.object else "?"
        return (f"the text is not valid {exc.encoding} (byte 0x{byte}): save the file as "
                "UTF-8")
    if isinstance(exc, csv.Error):
        return f"the CSV is malformed ({exc})"
    if isinstance(exc, OSError):
        return f"the file cannot be read ({exc.strerror or exc})"
    return str(exc)


def guarded(importer, summary):
    """``importer.rows()``, ending early (and noting why on ``summary``) if the file breaks."""
    rows = importer.rows()
    last = None
    try:
        for row in rows:
            last = row.where
            yield row
    except READ_ERRORS as exc:
        where = _position(importer, last)
        if summary.rows == 0 and _unopenable(exc):
            raise  # no such file, no permission: the caller says "cannot read"
        if summary.rows == 0:
            at = f" (at {where})" if where != "the start" else ""
            raise UnusableInput(f"cannot import {importer.path}: {reason(exc)}{at}; nothing "
                                "was stored") from None
        summary.stop(where, reason(exc))


def _unopenable(exc) -> bool:
    return (isinstance(exc, OSError) and not isinstance(exc, EOFError)
            and exc.__class__.__name__ != "BadGzipFile" and exc.errno is not None)


def _position(importer, last: str | None) -> str:
    line = None
    if importer.reading_line is not None:
        try:
            line = importer.reading_line()
        except Exception:  # the reader's state after the failure: best effort only
            line = None
    if line:
        return f"line {line:,}"
    return f"the row after {last}" if last else "the start"
