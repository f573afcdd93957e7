"""Zendesk pull: the incremental ticket events export (time based), comments included.

The cursor is the export's ``end_time`` of the last page stored: the next run (or a resumed
one) starts there. Zendesk answers 429 with Retry-After when called too often.
"""

from datetime import datetime

from ..desks import zendesk as desk
from ..desks.mapping import Mapping


def pages(connector, client, cursor: dict, since: datetime | None):
    m = Mapping(connector.mapping)
    if since is not None:
        start = int(since.timestamp())
    else:
        start = int(cursor.get("start_time", 0))
    url, params = "api/v2/incremental/ticket_events.json", {"start_time": start,
                                                            "include": "comment_events"}
    while True:
        answer = client.get(url, params)
        events = []
        for ticket_event in answer.get("ticket_events") or []:
            events.extend(desk.from_export(ticket_event, m))
        end = answer.get("end_time")
        new_cursor = {"start_time": int(end)} if end is not None else dict(cursor)
        yield events, new_cursor, f"ticket_events start_time={start}"
        if answer.get("end_of_stream") or not answer.get("next_page"):
            return
        url, params = answer["next_page"], None
        start = new_cursor.get("start_time", start)
