"""Pull sync against a desk API on 127.0.0.1 serving recorded, paged answers: a 429 with
Retry-After is waited out, a failure mid-way keeps what was stored, and the next run resumes
without storing anything twice. A change seen by webhook and by pull is one event."""

import copy
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accord.connectors.models import Connector, Delivery
from accord.connectors.sync import jira as jira_sync
from accord.connectors.sync.client import SyncError
from accord.connectors.sync.runner import sync_connector
from accord.connectors.worker import sync_due
from accord.measurement.models import TicketEvent
from tests.conftest import NOW
from tests.connectors.conftest import fixture, make_connector, story
from tests.connectors.desk_server import DeskServer
from tests.measurement.clock_world import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
SEARCH = "/rest/api/3/search/jql"
SERVER_SEARCH = "/rest/api/2/search"


def search_issue(key="SUP-1", issue_id="10001"):
    """SUP-1 as Jira's search API returns it with expand=changelog: its current fields,
    every changelog history (the same ids and instants its webhooks carried) and comments."""
    items = story("jira")
    last = items[-1]["payload"]["issue"]
    issue = copy.deepcopy(last)
    issue["id"], issue["key"] = issue_id, key
    histories = [{"id": i["payload"]["changelog"]["id"],
                  "author": i["payload"]["user"],
                  "created": i["payload"]["issue"]["fields"]["updated"],
                  "items": i["payload"]["changelog"]["items"]}
                 for i in items if i["payload"]["webhookEvent"] == "jira:issue_updated"]
    issue["changelog"] = {"startAt": 0, "maxResults": len(histories),
                          "total": len(histories), "histories": histories}
    comment = fixture("jira", "02_comment_first_response")["payload"]["comment"]
    issue["fields"]["comment"] = {"comments": [comment], "maxResults": 1, "total": 1,
                                  "startAt": 0}
    return issue


def page(issues, next_token=None):
    """A page of Jira Cloud's /rest/api/3/search/jql (issues, nextPageToken, isLast)."""
    body = {"issues": issues, "isLast": next_token is None}
    if next_token:
        body["nextPageToken"] = next_token
    return (200, {}, body)


@pytest.fixture
def jira(admin_user, world, monkeypatch):
    monkeypatch.setattr(jira_sync, "PAGE", 1)
    return make_connector(admin_user, "jira", source="jira-acme",
                          credentials={"email": "bot@acme.example", "api_token": "tok"})


def point(connector, server):
    Connector.objects.filter(pk=connector.pk).update(base_url=server.url)
    connector.refresh_from_db()


def test_a_failure_mid_way_keeps_the_pages_stored_and_the_next_run_resumes(jira):
    waits = []
    with DeskServer(page_by="nextPageToken") as server:
        point(jira, server)
        server.answer(SEARCH, "", page([search_issue("SUP-1", "10001")], "p2"))
        server.answer(SEARCH, "p2",
                      (429, {"Retry-After": "2"}, {"message": "rate limited"}),
                      (500, {}, {"errorMessages": ["boom"]}),
                      page([search_issue("SUP-2", "10002")], "p3"))
        server.answer(SEARCH, "p3", page([search_issue("SUP-3", "10003")]))

        with pytest.raises(SyncError, match="HTTP 500"):
            sync_connector(jira, now=NOW, sleep=waits.append)

        # The 429's Retry-After was waited out once; page 1 is stored, its cursor kept.
        assert waits == [2.0]
        assert TicketEvent.objects.filter(ticket__ticket_id="SUP-1").count() == 9
        assert not TicketEvent.objects.filter(ticket__ticket_id="SUP-2").exists()
        jira.refresh_from_db()
        assert jira.sync_cursor == {"since": "2025-03-03T16:00:00+00:00"}
        assert "HTTP 500" in jira.last_sync_error

        report = sync_connector(jira, now=NOW, sleep=waits.append)

    assert (report.pages, report.stored, report.duplicates) == (3, 18, 9)
    assert TicketEvent.objects.count() == 27  # three issues, nine events each, once
    jira.refresh_from_db()
    assert jira.last_sync_error == ""
    # The resumed run asked from the cursor on, with the connector's credentials.
    path, query, headers = server.requests[-1]
    assert query["jql"].startswith('updated >= "2025/03/03 16:00"')
    assert query["expand"] == "changelog"
    assert headers["Authorization"].startswith("Basic ")


def test_a_jira_without_the_cloud_search_is_read_through_the_older_one(jira):
    with DeskServer(page_by="startAt") as server:
        point(jira, server)
        server.answer(SERVER_SEARCH, 0, (200, {}, {"startAt": 0, "maxResults": 1, "total": 2,
                                                   "issues": [search_issue("SUP-1", "1")]}))
        server.answer(SERVER_SEARCH, 1, (200, {}, {"startAt": 1, "maxResults": 1, "total": 2,
                                                   "issues": [search_issue("SUP-2", "2")]}))
        report = sync_connector(jira, now=NOW)

    assert (report.pages, report.stored) == (2, 18)
    assert server.requests[0][0] == SEARCH  # asked first, answered 404


def test_a_change_seen_by_webhook_and_by_pull_is_one_event(jira, desk):
    for item in story("jira"):
        desk(jira).send(item)
    before = sorted(TicketEvent.objects.values_list("event_id", "kind", "timestamp", "status",
                                                    "priority", "team", "public", "payload"))
    with DeskServer(page_by="nextPageToken") as server:
        point(jira, server)
        server.answer(SEARCH, "", page([search_issue()]))
        report = sync_connector(jira, now=NOW)

    # Same ids and the same content: duplicates, never conflicts or new events.
    assert (report.stored, report.duplicates, report.rejected) == (0, 9, 0)
    after = sorted(TicketEvent.objects.values_list("event_id", "kind", "timestamp", "status",
                                                   "priority", "team", "public", "payload"))
    assert after == before


def test_pulled_first_then_the_webhooks_come_as_duplicates(jira, desk):
    with DeskServer(page_by="nextPageToken") as server:
        point(jira, server)
        server.answer(SEARCH, "", page([search_issue()]))
        sync_connector(jira, now=NOW)

    answers = [desk(jira).send(item).data for item in story("jira")]

    assert sum(a["stored"] for a in answers) == 0
    assert sum(a["duplicates"] for a in answers) == 9


ZD = "/api/v2/incremental/ticket_events.json"


def zendesk_pages(server_url):
    """The incremental ticket events export (shape of Zendesk's 'Incremental Exports'
    reference: ticket_events with child_events, next_page, end_time, end_of_stream) for the
    story of the webhook fixtures."""
    def audit(n, at, children):
        return {"id": 5000 + n, "ticket_id": 35436, "timestamp": 0,
                "created_at": f"2025-03-03T{at}:00Z", "updater_id": 9001,
                "via": "Web form", "event_type": "Audit", "child_events": children}
    first = [audit(1, "09:00", [{"id": 1, "event_type": "Create", "field_name": "status",
                                  "value": "new"},
                                 {"id": 2, "event_type": "Create", "field_name": "priority",
                                  "value": "normal"},
                                 {"id": 3, "event_type": "Create", "field_name": "group_id",
                                  "value": 98738}]),
             audit(2, "09:30", [{"id": 10200, "event_type": "Comment", "public": True,
                                 "author_id": 9001, "body": "Looking at it now."}]),
             audit(3, "10:00", [{"id": 4, "event_type": "Change", "field_name": "status",
                                 "value": "pending", "previous_value": "new"}])]
    second = [audit(4, "12:00", [{"id": 5, "event_type": "Change", "status": "open",
                                  "previous_value": "pending"}]),
              audit(5, "12:30", [{"id": 6, "event_type": "Change", "field_name": "priority",
                                  "value": "urgent", "previous_value": "normal"}]),
              audit(6, "13:00", [{"id": 7, "event_type": "Change", "field_name": "group_id",
                                  "value": 98739, "previous_value": 98738}]),
              audit(7, "14:00", [{"id": 8, "event_type": "Change", "field_name": "status",
                                  "value": "solved", "previous_value": "open"}]),
              audit(8, "15:00", [{"id": 9, "event_type": "Change", "field_name": "status",
                                  "value": "open", "previous_value": "solved"}])]
    return ((200, {}, {"ticket_events": first, "count": 3, "end_time": 1741003200,
                       "next_page": f"{server_url}{ZD}?start_time=1741003200",
                       "end_of_stream": False}),
            (200, {}, {"ticket_events": second, "count": 5, "end_time": 1741014000,
                       "next_page": f"{server_url}{ZD}?start_time=1741014000",
                       "end_of_stream": True}))


def test_zendesk_export_and_webhooks_give_the_same_events(admin_user, desk):
    from accord.catalogue.models import Team

    Team.objects.create(name="Service Desk")
    Team.objects.create(name="Second Line")
    zendesk = make_connector(admin_user, "zendesk", mapping={
        "groups": {"98738": "Service Desk", "98739": "Second Line"}})
    for item in story("zendesk"):
        assert desk(zendesk).send(item).status_code == 200
    before = sorted(TicketEvent.objects.values_list("event_id", "kind", "timestamp", "status",
                                                    "priority", "team", "public", "payload"))
    with DeskServer(page_by="start_time") as server:
        point(zendesk, server)
        first, second = zendesk_pages(server.url)
        server.answer(ZD, 0, (429, {"Retry-After": "1"}, {}), first)
        server.answer(ZD, 1741003200, second)
        waits = []
        report = sync_connector(zendesk, now=NOW, sleep=waits.append)

    assert waits == [1.0]
    assert (report.pages, report.stored, report.rejected) == (2, 0, 0)
    assert report.duplicates == len(before) == 8
    after = sorted(TicketEvent.objects.values_list("event_id", "kind", "timestamp", "status",
                                                   "priority", "team", "public", "payload"))
    assert after == before
    zendesk.refresh_from_db()
    assert zendesk.sync_cursor == {"start_time": 1741014000}


def test_the_command_takes_a_name_or_an_id_and_reports(jira):
    out = StringIO()
    with DeskServer(page_by="nextPageToken") as server:
        point(jira, server)
        server.answer(SEARCH, "", page([search_issue()]))
        call_command("sync", str(jira.pk), "--since", "2025-03-01", stdout=out)
        call_command("sync", jira.name, stdout=out)

    assert "9 stored" in out.getvalue() and "9 duplicates" in out.getvalue()
    assert server.requests[0][1]["jql"].startswith('updated >= "2025/03/01 00:00"')


def test_the_command_names_what_is_wrong(jira):
    with pytest.raises(CommandError, match="no connector 'nope'"):
        call_command("sync", "nope")
    with pytest.raises(CommandError, match="--since"):
        call_command("sync", jira.name, "--since", "yesterday")
    with pytest.raises(CommandError, match="resume"):
        call_command("sync", jira.name)  # no base_url: nothing to pull from


def test_the_worker_syncs_a_connector_when_its_interval_is_due(jira):
    with DeskServer(page_by="nextPageToken") as server:
        Connector.objects.filter(pk=jira.pk).update(base_url=server.url,
                                                    sync_interval_minutes=15,
                                                    next_sync_at=NOW)
        server.answer(SEARCH, "", page([search_issue()]))

        assert sync_due(NOW, "w1") is True
        assert sync_due(NOW, "w1") is False  # not due again for 15 minutes

    jira.refresh_from_db()
    assert jira.next_sync_at.isoformat() == "2025-03-07T12:15:00+00:00"
    assert TicketEvent.objects.count() == 9
    assert Delivery.objects.filter(channel="pull").count() == 1
    assert json.dumps(jira.sync_cursor)


AUDIT = "/api/now/table/sys_audit"


def audit_rows():
    """sys_audit rows (Table API shape: documentkey, fieldname, oldvalue, newvalue,
    record_checkpoint, sys_created_on, user) of the ServiceNow fixtures' story."""
    doc = "9d385017c611228701d22104cc95c371"

    def row(checkpoint, at, field, old, new, user="dev.desk"):
        return {"documentkey": doc, "fieldname": field, "oldvalue": old, "newvalue": new,
                "record_checkpoint": str(checkpoint), "sys_created_on": f"2025-03-03 {at}:00",
                "user": user}
    return [row(0, "09:00", "state", "", "1"), row(0, "09:00", "priority", "", "3"),
            row(0, "09:00", "assignment_group", "", "grp1"),
            row(0, "09:00", "business_service", "", "svc1"),
            row(0, "09:00", "company", "", "co1"),
            row(1, "09:30", "comments", "", "Looking at it now."),
            row(2, "10:00", "state", "1", "3"), row(3, "12:00", "state", "3", "2"),
            row(4, "12:30", "priority", "3", "1"),
            row(5, "13:00", "assignment_group", "grp1", "grp2"),
            row(6, "14:00", "state", "2", "6"), row(7, "15:00", "state", "6", "2")]


def test_servicenow_sys_audit_and_the_business_rule_give_the_same_events(admin_user, desk,
                                                                          monkeypatch):
    from accord.catalogue.models import Customer, Service, Team
    from accord.connectors.sync import servicenow as sn_sync

    monkeypatch.setattr(sn_sync, "PAGE", 3)  # saves cut by page ends are held back
    for model, name in ((Team, "Service Desk"), (Team, "Second Line"),
                        (Service, "Web Shop"), (Customer, "Acme")):
        model.objects.create(name=name)
    connector = make_connector(admin_user, "servicenow")
    for item in story("servicenow"):
        assert desk(connector).send(item).status_code == 200
    columns = ("event_id", "kind", "timestamp", "status", "priority", "team", "service",
               "customer", "public", "payload")
    before = sorted(TicketEvent.objects.values_list(*columns))
    rows = audit_rows()
    with DeskServer(page_by="sysparm_offset") as server:
        point(connector, server)
        for offset in range(0, 13, 3):
            server.answer(AUDIT, offset, (200, {}, {"result": rows[offset:offset + 3]}))
        server.answer("/api/now/table/incident", "", (200, {}, {"result": [
            {"sys_id": rows[0]["documentkey"], "number": "INC0010001"}]}))
        for table, sys_id, name in (("sys_user_group", "grp1", "Service Desk"),
                                    ("sys_user_group", "grp2", "Second Line"),
                                    ("cmdb_ci_service", "svc1", "Web Shop"),
                                    ("core_company", "co1", "Acme")):
            server.answer(f"/api/now/table/{table}/{sys_id}", "",
                          (200, {}, {"result": {"name": name}}))
        report = sync_connector(connector, now=NOW)

    assert (report.stored, report.rejected) == (0, 0)
    assert report.duplicates == len(before) == 8
    assert sorted(TicketEvent.objects.values_list(*columns)) == before
    connector.refresh_from_db()
    assert connector.sync_cursor == {"since": "2025-03-03T15:00:00+00:00"}
    # References are looked up once each, however many rows name them.
    lookups = [p for p, _, _ in server.requests if p.startswith("/api/now/table/sys_user_group")]
    assert len(lookups) == 2


def test_zammad_history_and_the_trigger_webhooks_give_the_same_events(admin_user, desk):
    from accord.catalogue.models import Team

    Team.objects.create(name="Service Desk")
    Team.objects.create(name="Second Line")
    connector = make_connector(admin_user, "zammad", credentials={"token": "zt-1"})
    items = story("zammad")
    for item in items:
        assert desk(connector).send(item).status_code == 200
    columns = ("event_id", "kind", "timestamp", "status", "priority", "team", "public",
               "payload")
    before = sorted(TicketEvent.objects.values_list(*columns))
    ticket = items[-1]["payload"]["ticket"]

    def change(n, at, attribute, old, new):
        return {"id": n, "o_id": 31, "object": "Ticket", "type": "updated",
                "attribute": attribute, "value_from": old, "value_to": new,
                "created_at": f"2025-03-03T{at}:00.000Z"}
    # Shapes of Zammad's REST API documentation: ticket history entries and articles.
    history = [{"id": 1, "o_id": 31, "object": "Ticket", "type": "created",
                "created_at": "2025-03-03T09:00:00.000Z"},
               {"id": 2, "o_id": 104, "object": "Ticket::Article", "type": "created",
                "created_at": "2025-03-03T09:30:00.000Z"},
               change(3, "10:00", "state", "new", "pending reminder"),
               change(4, "12:00", "state", "pending reminder", "open"),
               change(5, "12:30", "priority", "2 normal", "3 high"),
               change(6, "13:00", "group", "Service Desk", "Second Line"),
               change(7, "14:00", "state", "open", "closed")]
    article = items[1]["payload"]["article"]
    with DeskServer(page_by="page") as server:
        point(connector, server)
        server.answer("/api/v1/tickets/search", 1, (200, {}, [ticket]))
        server.answer("/api/v1/ticket_history/31", "", (200, {}, {"history": history}))
        server.answer("/api/v1/ticket_articles/by_ticket/31", "", (200, {}, [article]))
        report = sync_connector(connector, now=NOW)

    assert (report.stored, report.rejected, report.duplicates) == (0, 0, len(before))
    assert sorted(TicketEvent.objects.values_list(*columns)) == before
    assert server.requests[0][2]["Authorization"] == "Token token=zt-1"


def test_a_changelog_longer_than_search_gives_is_read_whole(jira):
    issue = search_issue()
    histories = issue["changelog"]["histories"]
    # Search gave only the latest two changes of seven.
    issue["changelog"] = {"startAt": 0, "maxResults": 2, "total": 7,
                          "histories": histories[-2:]}
    with DeskServer(page_by="startAt") as server:
        point(jira, server)
        server.answer(SEARCH, "", page([issue]))
        server.answer("/rest/api/3/issue/10001/changelog", 0, (200, {}, {
            "startAt": 0, "maxResults": 4, "total": 7, "isLast": False,
            "values": histories[:4]}))
        server.answer("/rest/api/3/issue/10001/changelog", 4, (200, {}, {
            "startAt": 4, "maxResults": 4, "total": 7, "isLast": True,
            "values": histories[4:]}))
        report = sync_connector(jira, now=NOW)

    assert report.stored == 9
    created = TicketEvent.objects.get(kind="created")
    # Created "Waiting for support" at Medium (P3) by the Service Desk, as the webhook said.
    assert (created.status, created.priority, created.team) == (
        "Waiting for support", "P3", "Service Desk")
