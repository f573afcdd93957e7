"""Jira Service Management (Cloud): admin webhooks and the search API with changelog.

Webhooks registered by an administrator with a secret are signed ``X-Hub-Signature:
sha256=<hex HMAC-SHA256 of the raw body>``; each call carries ``X-Atlassian-Webhook-
Identifier`` (the same on Jira's retries). Event ids come from Jira's own ids: the issue id
plus ``created``, a changelog id, or ``comment:<comment id>``, so a change seen by webhook
and by pull sync is one event. A change's instant is the changelog's ``created`` (pull) or
the issue's ``updated`` (webhook), which Jira sets to the same instant.
"""

from .base import BadSignature, Unmappable, compare, event, header, hmac_hex, instant, text_of
from .mapping import Mapping

EVENTS = ("jira:issue_created", "jira:issue_updated", "comment_created")


def verify(secret, headers, body, now):
    given = header(headers, "X-Hub-Signature")
    if not given:
        raise BadSignature("missing X-Hub-Signature header")
    method, _, digest = given.partition("=")
    if method.strip().lower() != "sha256" or not compare(hmac_hex(secret, body), digest.lower()):
        raise BadSignature("X-Hub-Signature does not match the body")


def delivery_key(headers) -> str:
    return header(headers, "X-Atlassian-Webhook-Identifier") or ""


def ticket_id(issue: dict, m: Mapping):
    return issue.get("id") if m.data.get("ticket_id") == "id" else issue.get("key")


def _issue(payload) -> dict:
    issue = payload.get("issue")
    if not isinstance(issue, dict) or not issue.get("id") or not issue.get("key"):
        raise Unmappable("issue: an object with id and key is required")
    if not isinstance(issue.get("fields"), dict):
        raise Unmappable("issue.fields: required")
    return issue


def translate(payload, mapping):
    if not isinstance(payload, dict):
        raise Unmappable("body: expected a Jira webhook object")
    m = Mapping(mapping)
    name = payload.get("webhookEvent")
    if name not in EVENTS:
        return str(name or "")[:100], []
    issue = _issue(payload)
    if name == "jira:issue_created":
        return name, [created(issue, current_fields(issue, m), m)]
    events = []
    changelog = payload.get("changelog")
    if name == "jira:issue_updated" and isinstance(changelog, dict) and changelog.get("items"):
        at = issue["fields"].get("updated") or payload.get("timestamp")
        change = changed(issue, changelog.get("id"), at, changelog["items"], m)
        if change:
            events.append(change)
    if isinstance(payload.get("comment"), dict):
        events.append(commented(issue, payload["comment"], m))
    return name, events


# The tracked fields: Accord name -> how to find it in issue fields and changelog items.
def _tracked(m: Mapping) -> dict[str, tuple[str, ...]]:
    tracked = {"status": ("status",), "priority": ("priority",), "assignee": ("assignee",)}
    for name in ("team", "service", "customer", "supplier", "impact", "urgency"):
        field = m.fields.get(name)
        if field:
            tracked[name] = (field.casefold(),)
    return tracked


def current_fields(issue: dict, m: Mapping) -> dict:
    fields = issue["fields"]
    by_key = {k.casefold(): v for k, v in fields.items()}
    return {name: text_of(by_key.get(keys[0])) for name, keys in _tracked(m).items()}


def _item_field(item: dict, m: Mapping) -> str | None:
    names = {str(item.get("fieldId") or "").casefold(), str(item.get("field") or "").casefold()}
    for name, keys in _tracked(m).items():
        if names & set(keys):
            return name
    return None


def _item_text(value):
    if value in (None, ""):
        return None
    text = str(value)
    return text[1:-1] if text.startswith("[") and text.endswith("]") else text


def _fields(values: dict, m: Mapping) -> dict:
    out = {}
    if "priority" in values:
        out["priority"] = m.priority(values["priority"])
    if "team" in values:
        out["team"] = m.team(values["team"] or "")
    for name in ("service", "customer", "supplier", "impact", "urgency"):
        if name in values:
            out[name] = values[name] or ""
    return out


def created(issue: dict, values: dict, m: Mapping) -> dict:
    """The creation event from the values the issue was created with."""
    kinds, fields = m.created_fields(values.get("status"))
    payload = dict(fields.pop("payload"))
    if values.get("assignee"):
        payload["assignee"] = values["assignee"]
    created_fields = {k: v for k, v in _fields(values, m).items() if v not in (None, "")}
    return event(f"{issue['id']}:created", ticket_id(issue, m),
                 instant(issue["fields"].get("created"), "issue.fields.created"), kinds[0],
                 **fields, **created_fields, payload=payload)


def changed(issue: dict, change_id, at, items: list, m: Mapping) -> dict | None:
    """One event for one changelog entry, or None when it touches nothing Accord tracks."""
    if change_id in (None, ""):
        raise Unmappable("changelog.id: required")
    values, before = {}, {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        name = _item_field(item, m)
        if name:
            values[name] = _item_text(item.get("toString"))
            before[name] = _item_text(item.get("fromString"))
    if not values:
        return None
    kind, fields, payload = "updated", {}, {}
    if "status" in values:
        kind, fields = m.transition(before["status"], values["status"])
        payload = fields.pop("payload")
    if "assignee" in values:
        payload["assignee"] = values["assignee"]
    fields.update(_fields(values, m))
    return event(f"{issue['id']}:{change_id}", ticket_id(issue, m),
                 instant(at, "issue.fields.updated"), kind, **fields, payload=payload)


def commented(issue: dict, comment: dict, m: Mapping) -> dict:
    if not comment.get("id"):
        raise Unmappable("comment.id: required")
    public = comment.get("jsdPublic", m.comments_public)
    author = text_of(comment.get("author"))
    return event(f"{issue['id']}:comment:{comment['id']}", ticket_id(issue, m),
                 instant(comment.get("created"), "comment.created"), "commented",
                 public=bool(public), payload={"author": author} if author else None)


def from_search(issue: dict, m: Mapping) -> list[dict]:
    """Every event of one issue from the search API (``expand=changelog``, comments in
    ``fields.comment``): creation values rebuilt from the oldest change of each field."""
    histories = sorted((issue.get("changelog") or {}).get("histories") or [],
                       key=lambda h: (str(h.get("created")), int(h.get("id") or 0)))
    values = current_fields(issue, m)
    seen = set()
    for history in histories:
        for item in history.get("items") or []:
            name = _item_field(item, m)
            if name and name not in seen:
                seen.add(name)
                values[name] = _item_text(item.get("fromString"))
    events = [created(issue, values, m)]
    for history in histories:
        change = changed(issue, history.get("id"), history.get("created"),
                         history.get("items"), m)
        if change:
            events.append(change)
    comments = (issue["fields"].get("comment") or {}).get("comments") or []
    events.extend(commented(issue, c, m) for c in comments if isinstance(c, dict))
    return events
