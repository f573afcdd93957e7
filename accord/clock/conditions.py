"""A small, safe, serialisable condition language for target scopes and clock rules.

Conditions are JSON objects (no eval). Field tests look at the ticket state *after* the
event; ``changed`` compares before and after; ``kind`` looks at the event itself::

    {"field": "status", "in": ["Pending customer", "Awaiting User Info"]}
    {"field": "priority", "equals": "P1"}
    {"field": "payload.category", "set": true}     # payload keys as "payload.<key>"
    {"field": "public", "equals": true}             # the event's public flag
    {"changed": "priority"}                         # the field changed in this event
    {"kind": ["resolved", "closed"]}                # the event kind ("kind": "x" also read)
    {"all": [...]}  {"any": [...]}  {"not": {...}}

Fields are the ticket fields of ``events.TICKET_FIELDS``, ``public``, and payload keys
written ``payload.<key>``. ``None`` and ``{}`` mean "always true"; ``{"any": []}`` is
"never". Values of ticket fields are text (numbers are read as text, as events do).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .events import KIND_RANK, PAYLOAD_PREFIX, TICKET_FIELDS, Event

_FIELD_OPS = ("equals", "in", "set")


def _describe_path(path: str) -> str:
    return path or "condition"


def check_field(name, path: str, *, allow_public: bool = True) -> str:
    """Return ``name`` if it is a known field name, else raise ValueError naming ``path``."""
    if not isinstance(name, str):
        raise ValueError(f"{_describe_path(path)}: field name must be text, got {name!r}")
    if name in TICKET_FIELDS or (allow_public and name == "public"):
        return name
    if name.startswith(PAYLOAD_PREFIX) and len(name) > len(PAYLOAD_PREFIX):
        return name
    raise ValueError(
        f"{_describe_path(path)}: unknown field {name!r} (use one of "
        f"{', '.join(TICKET_FIELDS)}{', public' if allow_public else ''} or payload.<key>)"
    )


def _value(field: str, value, path: str):
    if field == "public":
        if not isinstance(value, bool):
            raise ValueError(f"{path}: public is compared with true or false, got {value!r}")
        return value
    if isinstance(value, bool) and field in TICKET_FIELDS:
        raise ValueError(f"{path}: expected text, got {value!r}")
    if isinstance(value, int) and not isinstance(value, bool) and field in TICKET_FIELDS:
        return str(value)
    if isinstance(value, str) or (field not in TICKET_FIELDS and isinstance(value, (int, float))):
        return value
    raise ValueError(f"{path}: expected text{'' if field in TICKET_FIELDS else ' or a number'}, "
                     f"got {value!r}")


class Condition:
    """Base class: ``from_json`` builds a tree of the node classes below."""

    __slots__ = ()

    def evaluate(self, before: Mapping, after: Mapping, event: Event) -> bool:
        raise NotImplementedError

    def to_json(self):
        raise NotImplementedError

    @staticmethod
    def always() -> Condition:
        return All(())

    @staticmethod
    def never() -> Condition:
        return Any(())

    def __and__(self, other: Condition) -> Condition:
        return All((self, other))

    def __or__(self, other: Condition) -> Condition:
        return Any((self, other))

    def __invert__(self) -> Condition:
        return Not(self)

    @staticmethod
    def from_json(obj, path: str = "") -> Condition:
        """Parse and validate; errors name the bad part, e.g. ``all[1].field``."""
        if isinstance(obj, Condition):
            return obj
        if obj is None:
            return All(())
        where = _describe_path(path)
        if not isinstance(obj, Mapping):
            raise ValueError(f"{where}: expected an object, got {obj!r}")
        if not obj:
            return All(())
        prefix = f"{path}." if path else ""
        if "field" in obj:
            return Field.parse(obj, path, prefix)
        if len(obj) != 1:
            raise ValueError(f"{where}: expected one of field, changed, kind, all, any, not; "
                             f"got keys {sorted(obj)}")
        (key, value), = obj.items()
        here = prefix + key
        if key in ("all", "any"):
            if not isinstance(value, (list, tuple)):
                raise ValueError(f"{here}: expected a list of conditions, got {value!r}")
            items = tuple(Condition.from_json(item, f"{here}[{i}]") for i, item in enumerate(value))
            return All(items) if key == "all" else Any(items)
        if key == "not":
            if value is None or value == {}:
                raise ValueError(f"{here}: expected a condition")
            return Not(Condition.from_json(value, here))
        if key == "changed":
            return Changed(check_field(value, here, allow_public=False))
        if key == "kind":
            kinds = [value] if isinstance(value, str) else value
            if not isinstance(kinds, (list, tuple)) or not kinds:
                raise ValueError(f"{here}: expected a kind or a non-empty list of kinds")
            for i, kind in enumerate(kinds):
                if kind not in KIND_RANK:
                    raise ValueError(f"{here}[{i}]: unknown kind {kind!r}")
            return Kind(tuple(kinds))
        raise ValueError(f"{prefix}{key}: unknown operator {key!r} (expected field, changed, "
                         "kind, all, any or not)")


@dataclass(frozen=True, slots=True)
class Field(Condition):
    """``field`` equals / in / is set, on the state after the event."""

    field: str
    op: str
    value: object

    @classmethod
    def parse(cls, obj: Mapping, path: str, prefix: str) -> Field:
        name = check_field(obj["field"], prefix + "field")
        ops = [k for k in obj if k != "field"]
        unknown = [k for k in ops if k not in _FIELD_OPS]
        if unknown:
            raise ValueError(f"{prefix}{unknown[0]}: unknown operator (expected equals, in or set)")
        if len(ops) != 1:
            raise ValueError(f"{_describe_path(path)}: expected exactly one of equals, in, set")
        op = ops[0]
        value = obj[op]
        if op == "set":
            if not isinstance(value, bool):
                raise ValueError(f"{prefix}set: expected true or false, got {value!r}")
        elif op == "equals":
            value = _value(name, value, prefix + "equals")
        else:
            if not isinstance(value, (list, tuple)) or not value:
                raise ValueError(f"{prefix}in: expected a non-empty list, got {value!r}")
            value = tuple(_value(name, v, f"{prefix}in[{i}]") for i, v in enumerate(value))
        return cls(name, op, value)

    def _get(self, after: Mapping, event: Event):
        return event.public if self.field == "public" else after.get(self.field)

    def evaluate(self, before, after, event) -> bool:
        actual = self._get(after, event)
        if self.op == "equals":
            return actual is not None and actual == self.value
        if self.op == "in":
            return actual is not None and actual in self.value
        return (actual is not None) == self.value

    def to_json(self):
        value = list(self.value) if self.op == "in" else self.value
        return {"field": self.field, self.op: value}


@dataclass(frozen=True, slots=True)
class Changed(Condition):
    """The field's value differs between the states before and after the event."""

    field: str

    def evaluate(self, before, after, event) -> bool:
        return before.get(self.field) != after.get(self.field)

    def to_json(self):
        return {"changed": self.field}


@dataclass(frozen=True, slots=True)
class Kind(Condition):
    """The event's kind is one of ``kinds``."""

    kinds: tuple[str, ...]

    def evaluate(self, before, after, event) -> bool:
        return event.kind in self.kinds

    def to_json(self):
        return {"kind": list(self.kinds)}


@dataclass(frozen=True, slots=True)
class All(Condition):
    """Every item holds (true when empty)."""

    items: tuple[Condition, ...]

    def evaluate(self, before, after, event) -> bool:
        for item in self.items:
            if not item.evaluate(before, after, event):
                return False
        return True

    def to_json(self):
        return {"all": [item.to_json() for item in self.items]}


@dataclass(frozen=True, slots=True)
class Any(Condition):
    """At least one item holds (false when empty)."""

    items: tuple[Condition, ...]

    def evaluate(self, before, after, event) -> bool:
        for item in self.items:
            if item.evaluate(before, after, event):
                return True
        return False

    def to_json(self):
        return {"any": [item.to_json() for item in self.items]}


@dataclass(frozen=True, slots=True)
class Not(Condition):
    """The item does not hold."""

    item: Condition

    def evaluate(self, before, after, event) -> bool:
        return not self.item.evaluate(before, after, event)

    def to_json(self):
        return {"not": self.item.to_json()}
