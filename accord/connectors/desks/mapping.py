"""A connector's mapping: how a desk's statuses, priorities and fields become Accord's.

Shape (every key optional except ``statuses``; defaults per kind in ``mappings/<kind>.json``)::

    {"type": "incident",
     "statuses": {"<desk status>": {"status": "<stored name>", "kind": "resolved|closed",
                                    "pause": true, "responded": true, "initial": true,
                                    "supplier": "<supplier name>"}},
     "priorities": {"<desk priority>": "P1"},
     "teams": {"<desk group name or id>": "<team name>"},
     "fields": {"service" | "customer" | "team" | "supplier" | "impact" | "urgency":
                "<the desk's field>"},
     "comments_public": true}

Statuses and priorities match case-insensitively. A status change's kind follows from the
statuses left and entered, never from what Accord stored before, so a redelivered or pulled
change always gives the same event: entering a ``kind`` status gives that kind; leaving one
for another reopens; entering a ``responded`` status from an ``initial`` one is the response;
any other change is status_changed. Every status change carries ``payload.paused`` (true in
a ``pause`` status) and hands the ticket to a ``supplier`` status's supplier (or back).
"""

import json
from importlib import resources

from accord.lib.errors import InvalidInput

TERMINAL = ("resolved", "closed")
_ENTRY_KEYS = {"status", "kind", "pause", "responded", "initial", "supplier"}
_TOP_KEYS = {"_about", "type", "statuses", "priorities", "teams", "fields", "comments_public",
             "timezone", "values",
             "ticket_id", "groups"}
_FIELD_KEYS = {"service", "customer", "team", "supplier", "impact", "urgency"}


class Unmappable(ValueError):
    """A payload the connector cannot turn into events (kept as a dead letter)."""


def default_mapping(kind: str) -> dict:
    text = resources.files("accord.connectors").joinpath("mappings", f"{kind}.json").read_text()
    return json.loads(text)


def clean_mapping(mapping, field: str = "mapping") -> dict:
    """``mapping`` if its shape is right; InvalidInput naming the bad key otherwise."""
    if not isinstance(mapping, dict):
        raise InvalidInput("expected a JSON object", field=field)
    unknown = sorted(set(mapping) - _TOP_KEYS)
    if unknown:
        raise InvalidInput(f"unknown key {unknown[0]!r} (expected one of "
                           f"{', '.join(sorted(_TOP_KEYS - {'_about'}))})",
                           field=f"{field}.{unknown[0]}")
    statuses = mapping.get("statuses", {})
    if not isinstance(statuses, dict):
        raise InvalidInput("expected an object of desk status -> entry",
                           field=f"{field}.statuses")
    for name, entry in statuses.items():
        here = f"{field}.statuses.{name}"
        if not isinstance(entry, dict):
            raise InvalidInput("expected an object such as {\"status\": \"Open\"}", field=here)
        bad = sorted(set(entry) - _ENTRY_KEYS)
        if bad:
            raise InvalidInput(
                f"unknown key {bad[0]!r} (expected {', '.join(sorted(_ENTRY_KEYS))})",
                field=f"{here}.{bad[0]}")
        if entry.get("kind") not in (None, *TERMINAL):
            raise InvalidInput(f"kind must be resolved or closed, got {entry['kind']!r}",
                               field=f"{here}.kind")
        for flag in ("pause", "responded", "initial"):
            if not isinstance(entry.get(flag, False), bool):
                raise InvalidInput("expected true or false", field=f"{here}.{flag}")
        for text in ("status", "supplier"):
            if entry.get(text) is not None and not isinstance(entry[text], str):
                raise InvalidInput("expected text", field=f"{here}.{text}")
    for key in ("priorities", "teams", "groups"):
        value = mapping.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise InvalidInput("expected an object of text -> text", field=f"{field}.{key}")
    values = mapping.get("values", {})
    if not isinstance(values, dict) or not all(
            isinstance(v, dict) and all(isinstance(t, str) for t in v.values())
            for v in values.values()):
        raise InvalidInput("expected an object of field -> {stored value: display value}",
                           field=f"{field}.values")
    fields = mapping.get("fields", {})
    if not isinstance(fields, dict):
        raise InvalidInput("expected an object", field=f"{field}.fields")
    for key, value in fields.items():
        if key not in _FIELD_KEYS:
            raise InvalidInput(f"unknown field {key!r} (expected {', '.join(sorted(_FIELD_KEYS))})",
                               field=f"{field}.fields.{key}")
        if not isinstance(value, str):
            raise InvalidInput("expected the desk's field name", field=f"{field}.fields.{key}")
    if not isinstance(mapping.get("comments_public", True), bool):
        raise InvalidInput("expected true or false", field=f"{field}.comments_public")
    if not isinstance(mapping.get("type", ""), str):
        raise InvalidInput("expected text", field=f"{field}.type")
    return mapping


class Mapping:
    def __init__(self, data: dict):
        self.data = data
        self.type = data.get("type") or None
        self.statuses = {k.casefold(): v for k, v in data.get("statuses", {}).items()}
        self.priorities = {k.casefold(): v for k, v in data.get("priorities", {}).items()}
        self.teams = {str(k).casefold(): v for k, v in
                      {**data.get("groups", {}), **data.get("teams", {})}.items()}
        self.fields = data.get("fields", {})
        self.comments_public = data.get("comments_public", True)

    def entry(self, status) -> dict:
        if status in (None, ""):
            return {}
        return self.statuses.get(str(status).casefold(), {})

    def status(self, status) -> str | None:
        if status in (None, ""):
            return None
        entry = self.entry(status)
        return entry.get("status") or str(status)

    def priority(self, value) -> str | None:
        if value in (None, ""):
            return None
        return self.priorities.get(str(value).casefold(), str(value))

    def team(self, value) -> str | None:
        if value in (None, ""):
            return "" if value == "" else None
        return self.teams.get(str(value).casefold(), str(value))

    def created_fields(self, status) -> tuple[list[str], dict]:
        """Kinds and fields of a ticket created in ``status``."""
        entry = self.entry(status)
        kinds = ["created"]
        if entry.get("kind") in TERMINAL:
            kinds.append(entry["kind"])
        fields = {"status": self.status(status), "type": self.type}
        payload = {"paused": True} if entry.get("pause") else {}
        if entry.get("supplier"):
            fields["supplier"] = entry["supplier"]
        return kinds, {**fields, "payload": payload}

    def transition(self, before, after) -> tuple[str, dict]:
        """The kind and fields of a change from status ``before`` to ``after``."""
        old, new = self.entry(before), self.entry(after)
        if new.get("kind") in TERMINAL:
            kind = new["kind"]
        elif old.get("kind") in TERMINAL:
            kind = "reopened"
        elif new.get("responded") and (old.get("initial") or before in (None, "")):
            kind = "responded"
        else:
            kind = "status_changed"
        fields = {"status": self.status(after), "payload": {"paused": bool(new.get("pause"))}}
        if new.get("supplier"):
            fields["supplier"] = new["supplier"]
        elif old.get("supplier"):
            fields["supplier"] = ""
        return kind, fields
