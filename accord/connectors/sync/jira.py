"""Jira pull: the search API with ``expand=changelog`` and comments, oldest update first.

The cursor is the latest ``updated`` instant of the issues stored so far; each run asks for
``updated >= cursor`` (JQL minutes, in the Jira account's time zone: the mapping's
``timezone``, UTC if none), so an issue seen twice gives the same ids: duplicates, never
new events.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..desks import jira as desk
from ..desks.mapping import Mapping

PAGE = 50
FIELDS = "*all"


def pages(connector, client, cursor: dict, since: datetime | None):
    """Yield (events, cursor after this page, desk event name) per page."""
    m = Mapping(connector.mapping)
    start = since or (datetime.fromisoformat(cursor["since"]) if cursor.get("since") else None)
    tz = ZoneInfo(connector.mapping.get("timezone") or "UTC")
    jql = "ORDER BY updated ASC, key ASC"
    if start is not None:
        local = start.astimezone(tz).strftime("%Y/%m/%d %H:%M")
        jql = f'updated >= "{local}" {jql}'
    at, latest = 0, start
    while True:
        answer = client.get("rest/api/2/search", {"jql": jql, "startAt": at, "maxResults": PAGE,
                                                  "expand": "changelog", "fields": FIELDS})
        issues = answer.get("issues") or []
        events = []
        for issue in issues:
            events.extend(desk.from_search(issue, m))
            updated = issue.get("fields", {}).get("updated")
            if updated:
                stamp = datetime.fromisoformat(desk.instant(updated, "updated"))
                latest = stamp if latest is None or stamp > latest else latest
        at += len(issues)
        new_cursor = {"since": latest.astimezone(UTC).isoformat()} if latest else dict(cursor)
        yield events, new_cursor, f"search startAt={at - len(issues)}"
        if not issues or at >= int(answer.get("total", 0)):
            return
