"""GLPI pull sync against apirest.php on 127.0.0.1 serving recorded, paged answers (shapes of
GLPI's apirest.md: initSession, search/Ticket with range and Content-Range, Ticket/{id},
Ticket/{id}/Log, Ticket/{id}/ITILFollowup). A 429 is waited out, a failure mid-way keeps the
pages stored and the next run resumes without storing anything twice; a change delivered
by webhook and pulled (either way round) is stored once, with the same clocks."""

import copy

import pytest

from accord.connectors.models import Connector, Delivery
from accord.connectors.sync import glpi as glpi_sync
from accord.connectors.sync.client import SyncError
from accord.connectors.sync.runner import sync_connector
from accord.measurement.models import Clock, Ticket, TicketEvent
from tests.conftest import NOW
from tests.connectors.conftest import make_connector, story
from tests.connectors.desk_server import DeskServer
from tests.measurement.clock_world import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
API = "/apirest.php"
PARIS = {"timezone": "Europe/Paris"}  # the API user's GLPI time zone: local times below


def log(n, at, option, old="", new="", action=0, link=""):
    """A glpi_logs row as Ticket/{id}/Log returns it (apirest.md, 'Get sub items')."""
    return {"id": n, "itemtype": "Ticket", "items_id": 4711, "itemtype_link": link,
            "linked_action": action, "user_name": "tech (5)",
            "date_mod": f"2025-03-03 {at}:00", "id_search_option": option,
            "old_value": old, "new_value": new}


# The history of ticket 4711, the story the webhook fixtures tell: created New, Medium (3),
# group Service Desk; a followup; Pending; Processing (assigned); High; Second Line;
# Solved; back to Processing (assigned).
HISTORY = [log(1, "10:00", 0, action=20),
           log(2, "10:00", 8, new="Service Desk (4)", action=15, link="Group"),
           log(3, "10:30", 0, new="1", action=17, link="ITILFollowup"),
           log(4, "11:00", 12, "1", "4"), log(5, "13:00", 12, "4", "2"),
           log(6, "13:30", 3, "3", "4"),
           log(7, "14:00", 8, old="Service Desk (4)", action=16, link="Group"),
           log(8, "14:00", 8, new="Second Line (5)", action=15, link="Group"),
           log(9, "15:00", 12, "2", "5"), log(10, "16:00", 12, "5", "2")]
TICKET = {"id": 4711, "entities_id": 0, "name": "Web shop checkout fails",
          "date": "2025-03-03 10:00:00", "date_creation": "2025-03-03 10:00:00",
          "date_mod": "2025-03-03 16:00:00", "status": 2, "priority": 4, "urgency": 3,
          "impact": 3, "type": 1}
FOLLOWUPS = [{"id": 1, "itemtype": "Ticket", "items_id": 4711, "date": "2025-03-03 10:30:00",
              "date_creation": "2025-03-03 10:30:00", "date_mod": "2025-03-03 10:30:00",
              "users_id": 5, "content": "Looking at it now.", "is_private": 0,
              "requesttypes_id": 1}]
COLUMNS = ("event_id", "kind", "timestamp", "status", "priority", "team", "public", "payload")


def ranged(rows, start, total):
    """A ranged answer: 206 with Content-Range while more remain, as GLPI pages."""
    end = start + len(rows) - 1
    return (206 if end + 1 < total else 200, {"Content-Range": f"{start}-{end}/{total}"}, rows)


def record(server, tid=4711, log_page=5):
    """Ticket ``tid`` (4711's story under another id) and its history in two pages."""
    history = [{**h, "items_id": tid} for h in HISTORY]
    server.answer(f"{API}/Ticket/{tid}", "", (200, {}, {**TICKET, "id": tid}))
    for start in range(0, len(history), log_page):
        server.answer(f"{API}/Ticket/{tid}/Log", f"{start}-{start + log_page - 1}",
                      ranged(history[start:start + log_page], start, len(history)))
    server.answer(f"{API}/Ticket/{tid}/ITILFollowup", f"0-{log_page - 1}",
                  ranged([{**f, "items_id": tid} for f in FOLLOWUPS], 0, 1))


def search(tids, start, total):
    """A page of search/Ticket (apirest.md 'Search items': totalcount, count, data rows
    keyed by search option: 2 the id, 19 the last update)."""
    rows = [{"2": tid, "19": "2025-03-03 16:00:00"} for tid in tids]
    status, headers, _ = ranged(rows, start, total)
    return (status, headers, {"totalcount": total, "count": len(rows), "sort": [19],
                              "order": ["ASC"], "data": rows})


def session(server):
    server.answer(f"{API}/initSession", "", (200, {}, {"session_token": "st-83af7e62"}))
    server.answer(f"{API}/killSession", "", (200, {}, {}))


@pytest.fixture
def glpi(admin_user, world, monkeypatch):
    monkeypatch.setattr(glpi_sync, "PAGE", 1)
    monkeypatch.setattr(glpi_sync, "LOG_PAGE", 5)
    return make_connector(admin_user, "glpi", source="glpi", mapping=PARIS,
                          credentials={"user_token": "ut-1", "app_token": "at-1"})


def point(connector, server):
    Connector.objects.filter(pk=connector.pk).update(base_url=server.url + API)
    connector.refresh_from_db()


def events():
    return sorted(TicketEvent.objects.values_list(*COLUMNS))


def clocks():
    return sorted((c.ticket.ticket_id, c.target_id, c.cycle, c.state, c.elapsed_seconds,
                   c.paused_seconds) for c in Clock.objects.select_related("ticket"))


def pull(connector):
    with DeskServer(page_by="range") as server:
        point(connector, server)
        session(server)
        server.answer(f"{API}/search/Ticket", "0-0", search([4711], 0, 1))
        record(server)
        return sync_connector(connector, now=NOW), server


def test_a_failure_mid_way_keeps_the_pages_stored_and_the_next_run_resumes(glpi):
    waits = []
    with DeskServer(page_by="range") as server:
        point(glpi, server)
        session(server)
        server.answer(f"{API}/search/Ticket", "0-0", search([4711], 0, 3))
        server.answer(f"{API}/search/Ticket", "1-1",
                      (429, {"Retry-After": "2"}, {}),
                      (500, {}, ["ERROR_SQL", "We suspect an SQL error."]),
                      search([4712], 1, 3))
        server.answer(f"{API}/search/Ticket", "2-2", search([4713], 2, 3))
        for tid in (4711, 4712, 4713):
            record(server, tid)

        with pytest.raises(SyncError, match="HTTP 500"):
            sync_connector(glpi, now=NOW, sleep=waits.append)

        # The 429's Retry-After was waited out; page 1 is stored with its cursor, the
        # session closed all the same.
        assert waits == [2.0]
        assert TicketEvent.objects.filter(ticket__ticket_id="4711").count() == 9
        assert not Ticket.objects.filter(ticket_id="4712").exists()
        glpi.refresh_from_db()
        assert glpi.sync_cursor == {"since": "2025-03-03T15:00:00+00:00"}
        assert "HTTP 500" in glpi.last_sync_error
        assert server.requests[-1][0] == f"{API}/killSession"

        report = sync_connector(glpi, now=NOW, sleep=waits.append)

    # The resumed run asked again from the cursor (a second before it, in GLPI's local
    # time): 4711 came again as duplicates, 4712 and 4713 were stored once.
    assert (report.pages, report.stored, report.duplicates) == (3, 18, 9)
    assert TicketEvent.objects.count() == 27
    glpi.refresh_from_db()
    assert glpi.last_sync_error == ""
    searches = [q for p, q, _ in server.requests if p == f"{API}/search/Ticket"]
    assert searches[0].get("criteria[0][value]") is None  # the first run: everything
    assert searches[-1]["criteria[0][field]"] == "19"
    assert searches[-1]["criteria[0][searchtype]"] == "morethan"
    assert searches[-1]["criteria[0][value]"] == "2025-03-03 15:59:59"
    # initSession with the user and app tokens; then the session token instead.
    init = next(h for p, _, h in server.requests if p == f"{API}/initSession")
    assert (init["Authorization"], init["App-Token"]) == ("user_token ut-1", "at-1")
    later = next(h for p, _, h in server.requests if p == f"{API}/Ticket/4711/Log")
    assert later["Session-Token"] == "st-83af7e62" and "Authorization" not in later


def test_pull_reads_the_story_the_webhooks_tell_and_adds_the_reopening(glpi):
    report, server = pull(glpi)

    assert (report.stored, report.rejected) == (9, 0)
    rows = TicketEvent.objects.filter(ticket__ticket_id="4711").order_by("timestamp", "id")
    assert [(e.timestamp.strftime("%H:%M"), e.kind) for e in rows] == [
        ("09:00", "created"), ("09:30", "commented"), ("10:00", "updated"),
        ("12:00", "updated"), ("12:30", "updated"), ("13:00", "updated"),
        ("14:00", "resolved"), ("15:00", "updated"), ("15:00", "reopened")]
    ticket = Ticket.objects.get(ticket_id="4711")
    assert (ticket.status, ticket.priority, ticket.team.name) == (
        "Processing (assigned)", "P2", "Second Line")
    created = rows[0]
    assert (created.status, created.priority, created.team) == ("New", "P3",
                                                                 "Service Desk")
    assert rows.get(kind="reopened").event_id == "4711:2025-03-03T15:00:00Z:reopened"
    # The history came in two ranges of five, as Content-Range announced.
    logs = [q["range"] for p, q, _ in server.requests if p == f"{API}/Ticket/4711/Log"]
    assert logs == ["0-4", "5-9"]


def test_a_change_delivered_by_webhook_and_pulled_is_stored_once(glpi, desk):
    for item in story("glpi"):
        assert desk(glpi).send(item).status_code == 200
    before = events()

    report, _ = pull(glpi)

    # Every webhook event came again with the same id and content: duplicates; only the
    # reopening, which the webhook body cannot show, is new.
    assert (report.duplicates, report.stored, report.rejected) == (8, 1, 0)
    after = events()
    assert [row for row in after if row not in before] == [
        row for row in after if row[0] == "4711:2025-03-03T15:00:00Z:reopened"]
    assert all(row in after for row in before)
    both_ways = clocks()

    # The same clocks as the pull alone gives.
    Ticket.objects.all().delete()
    Delivery.objects.all().delete()
    pull(glpi)
    assert events() == after
    assert clocks() == both_ways and both_ways


def test_pulled_first_then_the_webhooks_come_as_duplicates(glpi, desk):
    pull(glpi)
    stored, kept = events(), clocks()

    answers = [desk(glpi).send(item).data for item in story("glpi")]

    assert sum(a["stored"] for a in answers) == 0
    assert sum(a["duplicates"] for a in answers) == 8
    assert events() == stored and clocks() == kept


def test_a_ticket_webhook_names_glpi_numbers_through_the_mapping(glpi, desk):
    item = copy.deepcopy(story("glpi")[0])
    item["payload"].update({"status": "4", "priority": "6", "group": "Second Line"})

    assert desk(glpi).send(item).status_code == 200

    created = TicketEvent.objects.get()
    assert (created.event_id, created.status, created.priority, created.team) == (
        "4711:created", "Pending", "P1", "Second Line")
    assert created.payload == {"paused": True}


def test_a_followup_of_a_change_is_recorded_and_stores_nothing(glpi, desk):
    item = copy.deepcopy(story("glpi")[1])
    item["payload"]["itemtype"] = "Change"  # the Followup webhook fires for every ITIL type

    answer = desk(glpi).send(item)

    assert (answer.status_code, answer.data["stored"]) == (200, 0)
    assert not TicketEvent.objects.exists()
    assert Delivery.objects.get().outcome == "ignored"


def test_rows_gone_between_two_ranges_end_the_run_without_error(glpi):
    with DeskServer(page_by="range") as server:
        point(glpi, server)
        session(server)
        server.answer(f"{API}/search/Ticket", "0-0", search([4711], 0, 2))
        # A ticket deleted meanwhile: GLPI refuses the next range (apirest.md, Errors).
        server.answer(f"{API}/search/Ticket", "1-1", (400, {}, [
            "ERROR_RANGE_EXCEED_TOTAL", "Provided range exceed total count of data: 1"]))
        record(server)
        report = sync_connector(glpi, now=NOW)

    assert (report.pages, report.stored) == (1, 9)
    glpi.refresh_from_db()
    assert glpi.sync_cursor == {"since": "2025-03-03T15:00:00+00:00"}


def test_a_mapping_without_values_still_names_glpi_numbers(admin_user, world, desk):
    # A mapping saved before "values" existed (or edited without them): GLPI's own names.
    connector = make_connector(admin_user, "glpi", name="older", mapping=PARIS)
    connector.mapping.pop("values")
    Connector.objects.filter(pk=connector.pk).update(mapping=connector.mapping)
    connector.refresh_from_db()

    assert desk(connector).send(story("glpi")[0]).status_code == 200

    created = TicketEvent.objects.get()
    assert (created.status, created.priority) == ("New", "P3")


def test_a_history_it_cannot_read_stops_the_run_naming_the_ticket(glpi):
    with DeskServer(page_by="range") as server:
        point(glpi, server)
        session(server)
        server.answer(f"{API}/search/Ticket", "0-0", search([4711], 0, 1))
        record(server)
        server.answer(f"{API}/Ticket/4711/Log", "0-4", ranged(
            [{**HISTORY[0], "date_mod": "yesterday"}, *HISTORY[1:5]], 0, 10))

        with pytest.raises(SyncError, match="ticket 4711: date_mod: 'yesterday'"):
            sync_connector(glpi, now=NOW)

    assert not TicketEvent.objects.exists()
    glpi.refresh_from_db()
    assert glpi.sync_cursor == {} and "ticket 4711" in glpi.last_sync_error
