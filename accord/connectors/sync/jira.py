"""Jira pull: issue search with ``expand=changelog`` and comments, oldest update first.

Jira Cloud's ``/rest/api/3/search/jql`` (pages by ``nextPageToken``) is used; a site that
does not have it (Jira Data Center, 404) is read through ``/rest/api/2/search`` (pages by
``startAt``). The cursor is the latest ``updated`` instant of the issues stored so far; each
run asks for ``updated >= cursor`` (JQL minutes, in the Jira account's time zone: the
mapping's ``timezone``, UTC if none), so an issue seen twice gives the same ids: duplicates,
never new events. Search results carry an issue's latest 100 changelog entries; a longer
changelog is read whole from the issue's changelog API.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..desks import jira as desk
from ..desks.mapping import Mapping
from .client import SyncError

PAGE = 50
FIELDS = "*all"
CLOUD = "rest/api/3/search/jql"
SERVER = "rest/api/2/search"


def _search(client, jql: str):
    """Yield (issues, label) per page, from the Cloud endpoint or the Data Center one."""
    token, first = None, True
    params = {"jql": jql, "maxResults": PAGE, "expand": "changelog", "fields": FIELDS}
    while True:
        try:
            answer = client.get(CLOUD, {**params, **({"nextPageToken": token} if token else {})})
        except SyncError as exc:
            if first and "HTTP 404" in str(exc):
                yield from _search_server(client, params)
                return
            raise
        first = False
        yield answer.get("issues") or [], f"search/jql page {token or 1}"
        token = answer.get("nextPageToken")
        if answer.get("isLast", not token) or not token:
            return


def _search_server(client, params):
    at = 0
    while True:
        answer = client.get(SERVER, {**params, "startAt": at})
        issues = answer.get("issues") or []
        yield issues, f"search startAt={at}"
        at += len(issues)
        if not issues or at >= int(answer.get("total", 0)):
            return


def whole_changelog(client, issue: dict) -> dict:
    """The issue with every changelog entry: search gives the latest 100 at most, the rest
    come from /rest/api/3/issue/{id}/changelog (pages by startAt)."""
    changelog = issue.get("changelog") or {}
    histories = changelog.get("histories") or []
    if int(changelog.get("total") or 0) <= len(histories):
        return issue
    every, at = [], 0
    while True:
        answer = client.get(f"rest/api/3/issue/{issue['id']}/changelog",
                            {"startAt": at, "maxResults": 100})
        values = answer.get("values") or []
        every.extend(values)
        at += len(values)
        if not values or answer.get("isLast", at >= int(answer.get("total") or 0)):
            break
    return {**issue, "changelog": {"histories": every, "total": len(every)}}


def pages(connector, client, cursor: dict, since: datetime | None):
    """Yield (events, cursor after this page, label) per page."""
    m = Mapping(connector.mapping)
    start = since or (datetime.fromisoformat(cursor["since"]) if cursor.get("since") else None)
    tz = ZoneInfo(connector.mapping.get("timezone") or "UTC")
    jql = "ORDER BY updated ASC, key ASC"
    if start is not None:
        local = start.astimezone(tz).strftime("%Y/%m/%d %H:%M")
        jql = f'updated >= "{local}" {jql}'
    latest = start
    for issues, label in _search(client, jql):
        events = []
        for issue in issues:
            events.extend(desk.from_search(whole_changelog(client, issue), m))
            updated = issue.get("fields", {}).get("updated")
            if updated:
                stamp = datetime.fromisoformat(desk.instant(updated, "updated"))
                latest = stamp if latest is None or stamp > latest else latest
        new_cursor = {"since": latest.astimezone(UTC).isoformat()} if latest else dict(cursor)
        yield events, new_cursor, label
