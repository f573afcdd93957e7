"""What an event must hold to be stored, beyond its format: texts that fit their columns,
no value a database cannot store (``accord.lib.jsonsafe``), a payload no larger than
``ACCORD_MAX_PAYLOAD_BYTES`` once encoded, and no text in it longer than
``ACCORD_MAX_TEXT_LENGTH`` characters. A failed check raises
``BadValue`` naming the field (``payload.<key>...`` inside the payload)."""

from operator import attrgetter

from django.conf import settings
from django.db import models

from accord.clock.events import Event
from accord.lib.jsonsafe import NUL, json_problem, text_problem

from ..models import TicketEvent

_MAX_LENGTH = tuple({f.name: f.max_length for f in TicketEvent._meta.fields
                     if isinstance(f, models.CharField) and f.name != "kind"}.items()
                    ) + (("ticket_id", 128),)
_texts = attrgetter(*(name for name, _ in _MAX_LENGTH))
_SHORTEST = min(limit for _, limit in _MAX_LENGTH)


class BadValue(ValueError):
    """A value of an event that cannot be stored; ``field`` is its dotted path."""

    def __init__(self, field: str, msg: str):
        super().__init__(f"{field}: {msg}")
        self.field = field
        self.msg = msg


def check_event(event: Event) -> None:
    """Raise ``BadValue`` for the first field of ``event`` that cannot be stored."""
    texts = _texts(event)
    present = [t for t in texts if t]
    if max(map(len, present), default=0) > _SHORTEST:
        for (name, limit), value in zip(_MAX_LENGTH, texts, strict=True):
            if value is not None and len(value) > limit:
                raise BadValue(name, f"longer than {limit} characters")
    joined = "".join(present)
    if NUL in joined or not joined.isascii() and text_problem(joined):
        for (name, _), value in zip(_MAX_LENGTH, texts, strict=True):
            if value and (reason := text_problem(value)):
                raise BadValue(name, reason)
    if event.payload:
        found = json_problem(event.payload, max_bytes=settings.ACCORD_MAX_PAYLOAD_BYTES,
                             max_text=settings.ACCORD_MAX_TEXT_LENGTH)
        if found:
            path, reason = found
            raise BadValue(".".join(("payload", *map(str, path))), reason)
