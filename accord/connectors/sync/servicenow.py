"""ServiceNow pull: the Table API on ``sys_audit`` (incident rows), oldest first.

Audit rows are grouped by (record, ``record_checkpoint``) -- one save of one incident --
and each group is turned into the business rule's payload (docs/connectors/servicenow.md)
and read by the same translation, so a change pulled here and pushed by the rule gives the
same event id (``<sys_id>:<checkpoint>``, ``<sys_id>:created`` for checkpoint 0) and the
same content. sys_audit keeps stored values: the mapping's ``values`` turns them into display
values, and references (group, service, company, user) are looked up by sys_id, once each.
A group cut by a page's end is held back and completed from the next page. The cursor is
the ``sys_created_on`` of the last group stored. The Table API gives times in UTC, as the
rule's ``getValue`` does; the query's lower bound is written in the mapping's ``timezone``
(the integration user's, UTC if none).
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..desks import servicenow as desk
from ..desks.base import instant

PAGE = 200
AUDIT = "api/now/table/sys_audit"
FIELDS = "documentkey,fieldname,oldvalue,newvalue,record_checkpoint,sys_created_on,user"
REFERENCES = {"assignment_group": "sys_user_group", "business_service": "cmdb_ci_service",
              "company": "core_company", "assigned_to": "sys_user"}
JOURNALS = {"comments": True, "work_notes": False}


class Lookup:
    """Display values of sys_audit's stored values."""

    def __init__(self, client, mapping):
        self.client, self.values = client, mapping.get("values") or {}
        self.names: dict[tuple[str, str], str] = {}
        self.numbers: dict[str, str] = {}

    def display(self, field: str, value):
        if value in (None, ""):
            return ""
        table = REFERENCES.get(field)
        if table:
            key = (table, value)
            if key not in self.names:
                answer = self.client.get(f"api/now/table/{table}/{value}",
                                         {"sysparm_fields": "name"})
                self.names[key] = (answer.get("result") or {}).get("name") or value
            return self.names[key]
        return self.values.get(field, {}).get(str(value), str(value))

    def number(self, sys_id: str) -> str:
        if sys_id not in self.numbers:
            answer = self.client.get("api/now/table/incident",
                                     {"sysparm_query": f"sys_id={sys_id}",
                                      "sysparm_fields": "sys_id,number"})
            rows = answer.get("result") or []
            self.numbers[sys_id] = rows[0]["number"] if rows else sys_id
        return self.numbers[sys_id]


def payload_of(rows: list[dict], lookup: Lookup) -> dict:
    """The business rule's payload for one save (the audit rows of one checkpoint)."""
    first = rows[0]
    sys_id, checkpoint = first["documentkey"], int(first.get("record_checkpoint") or 0)
    body = {"table": "incident", "sys_id": sys_id, "number": lookup.number(sys_id),
            "operation": "insert" if checkpoint == 0 else "update",
            "sys_mod_count": checkpoint, "sys_updated_on": first["sys_created_on"],
            "changes": {}, "current": {}}
    for row in rows:
        field = row.get("fieldname")
        if field in JOURNALS:
            body["comment"] = {"public": JOURNALS[field], "author": row.get("user")}
        elif field in desk.TRACKED:
            current = lookup.display(field, row.get("newvalue"))
            if checkpoint == 0:
                body["current"][field] = current
            else:
                body["changes"][field] = {"previous": lookup.display(field, row.get("oldvalue")),
                                          "current": current}
    return body


def pages(connector, client, cursor: dict, since: datetime | None):
    lookup = Lookup(client, connector.mapping)
    tz = ZoneInfo(connector.mapping.get("timezone") or "UTC")
    start = since or (datetime.fromisoformat(cursor["since"]) if cursor.get("since") else None)
    query = "tablename=incident"
    if start is not None:
        query += f"^sys_created_on>={start.astimezone(tz):%Y-%m-%d %H:%M:%S}"
    query += "^ORDERBYsys_created_on^ORDERBYdocumentkey^ORDERBYrecord_checkpoint"
    offset, held, latest = 0, [], start
    while True:
        answer = client.get(AUDIT, {"sysparm_query": query, "sysparm_limit": PAGE,
                                    "sysparm_offset": offset, "sysparm_fields": FIELDS})
        rows = held + (answer.get("result") or [])
        offset += len(answer.get("result") or [])
        last_page = len(answer.get("result") or []) < PAGE
        groups: dict[tuple, list] = {}
        for row in rows:
            groups.setdefault((row["documentkey"], str(row.get("record_checkpoint"))),
                              []).append(row)
        keys = list(groups)
        held = [] if last_page or not keys else groups.pop(keys[-1])
        events = []
        for group in groups.values():
            _, items = desk.translate(payload_of(group, lookup), connector.mapping)
            events.extend(items)
            at = datetime.fromisoformat(instant(group[0]["sys_created_on"], "sys_created_on"))
            latest = at if latest is None or at > latest else latest
        new_cursor = {"since": latest.astimezone(UTC).isoformat()} if latest else dict(cursor)
        yield events, new_cursor, f"sys_audit offset={offset}"
        if last_page:
            return
