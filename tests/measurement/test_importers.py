"""Importers: small handmade samples for precise stories, the real logs for the end to end."""

import gzip
import json
import shutil
from pathlib import Path

import pytest

from accord.catalogue.models import Team
from accord.clock.events import holder_of, replay
from accord.measurement.importers import UnusableInput, detect_format, importer_for, run_import
from accord.measurement.models import Source, Ticket, TicketEvent
from tests.conftest import NOW

DATA = Path(__file__).parent / "data"
REAL = Path(__file__).parents[2].parent / "shared/data/itsm"

pytestmark = pytest.mark.django_db


def load(path, **options):
    limit = options.pop("limit", None)
    create_missing = options.pop("create_missing", True)
    return run_import(importer_for(path, options.pop("format", None), **options), now=NOW,
                      create_missing=create_missing, limit=limit)


def events_of(ticket_id, source=None):
    events = TicketEvent.objects.filter(ticket__ticket_id=ticket_id)
    if source:
        events = events.filter(source=source)
    return sorted(events, key=lambda e: e.sort_key)


def as_dicts(events):
    fields = ("source", "event_id", "ticket_id", "timestamp", "kind", "status", "priority",
              "team", "supplier", "payload")
    return [{f: (e.ticket.ticket_id if f == "ticket_id" else getattr(e, f)) for f in fields}
            for e in events]


class TestBpiIncidentSample:
    """Trace 1-100: queued at the desk, taken up, waiting for the user, handed to the network
    team, waiting for the vendor, resolved, closed a week later. Trace 1-200: solved in the
    call."""

    def test_it_reads_the_story_of_a_ticket(self):
        summary = load(DATA / "bpi_incidents_sample.xes")

        assert (summary.stored, summary.duplicates, summary.rejected) == (10, 0, 0)
        story = [(e.timestamp.isoformat(), e.kind, e.status, e.team, e.supplier)
                 for e in events_of("1-100")]
        assert story == [
            ("2012-04-02T07:00:00+00:00", "created", "Awaiting Assignment", "Desk", ""),
            ("2012-04-02T07:30:00+00:00", "responded", "In Progress", "Desk", ""),
            ("2012-04-02T08:00:00+00:00", "status_changed", "Wait - User", "Desk", ""),
            ("2012-04-02T09:00:00+00:00", "status_changed", "In Progress", "Net 2nd", ""),
            ("2012-04-02T10:00:00+00:00", "status_changed", "Wait - Vendor", "Net 2nd",
             "Vendor"),
            ("2012-04-02T11:00:00+00:00", "status_changed", "In Progress", "Net 2nd", ""),
            ("2012-04-02T12:00:00+00:00", "resolved", "Resolved", "Net 2nd", ""),
            ("2012-04-10T07:00:00+00:00", "closed", "Closed", "Net 2nd", ""),
        ]

    def test_waiting_for_the_user_pauses_and_the_vendor_holds_the_ticket(self):
        load(DATA / "bpi_incidents_sample.xes")

        states = [after for _, _, after in replay(as_dicts(events_of("1-100")))]
        assert [s["payload.paused"] for s in states] == [False, False, True, False, False,
                                                          False, False, False]
        assert [str(holder_of(s)) for s in states] == [
            "team Desk", "team Desk", "team Desk", "team Net 2nd", "supplier Vendor",
            "team Net 2nd", "team Net 2nd", "team Net 2nd"]

    def test_impact_gives_the_priority_and_a_ticket_solved_in_the_call_is_resolved_at_once(self):
        load(DATA / "bpi_incidents_sample.xes")

        first = Ticket.objects.get(ticket_id="1-100")
        in_call = Ticket.objects.get(ticket_id="1-200")
        assert (first.priority, first.impact, first.stage) == ("P3", "Medium", "closed")
        assert first.payload["product"] == "PROD582" and first.payload["owner"] == "Siebel"
        assert (in_call.priority, in_call.stage) == ("P2", "resolved")
        assert [e.kind for e in events_of("1-200")] == ["created", "resolved"]
        assert in_call.opened_at == in_call.resolved_at

    def test_importing_the_same_file_again_changes_nothing(self):
        load(DATA / "bpi_incidents_sample.xes")
        before = list(TicketEvent.objects.values_list("event_id", flat=True).order_by("id"))

        again = load(DATA / "bpi_incidents_sample.xes")

        assert (again.stored, again.duplicates, again.rejected) == (0, 10, 0)
        assert list(TicketEvent.objects.values_list("event_id", flat=True).order_by("id")) \
            == before

    def test_unknown_teams_are_rejected_with_the_reason_unless_created(self):
        Team.objects.create(name="Desk")

        summary = load(DATA / "bpi_incidents_sample.xes", create_missing=False)

        assert summary.rejected == 5  # the events in the hands of "Net 2nd"
        assert summary.errors[0]["where"] == "trace 1-100, event 4"
        assert summary.errors[0]["errors"][0]["field"] == "team"
        assert "Net 2nd" in summary.errors[0]["errors"][0]["msg"]
        assert not Team.objects.filter(name="Net 2nd").exists()

    def test_a_mapping_file_overrides_the_shipped_statuses(self, tmp_path):
        mapping = tmp_path / "mapping.json"
        mapping.write_text(json.dumps({"statuses": {
            "Accepted/Wait - User": {"status": "Pending customer", "pause": True}}}))

        load(DATA / "bpi_incidents_sample.xes", mapping=mapping, source="volvo")

        statuses = [e.status for e in events_of("1-100", source="volvo")]
        assert statuses[2] == "Pending customer"
        assert statuses[1] == "In Progress"  # the rest of the shipped mapping still applies

    def test_it_reads_a_gzipped_log_too(self, tmp_path):
        packed = tmp_path / "sample.xes.gz"
        with open(DATA / "bpi_incidents_sample.xes", "rb") as f, gzip.open(packed, "wb") as g:
            shutil.copyfileobj(f, g)

        assert load(packed).stored == 10


class TestServiceNowSample:
    """INC1 opens, is taken up, waits for Vendor 1, moves to Group 2 at P2, is resolved,
    reopened by the caller and closed. INC2 starts waiting on an unnamed vendor."""

    def test_it_refuses_to_guess_the_time_zone(self):
        with pytest.raises(UnusableInput, match="--tz"):
            load(DATA / "servicenow_sample.csv")
        assert not TicketEvent.objects.exists()

    def test_local_times_are_read_in_the_zone_given(self):
        load(DATA / "servicenow_sample.csv", tz="America/Sao_Paulo")
        in_brazil = [e.timestamp.isoformat() for e in events_of("INC1")][:2]
        TicketEvent.objects.all().delete()

        load(DATA / "servicenow_sample.csv", tz="Europe/Brussels", source="brussels")
        in_belgium = [e.timestamp.isoformat() for e in events_of("INC1", "brussels")][:2]

        # Opened 29/2/2016 01:16 local (opened_at), first update 02:00 local.
        assert in_brazil == ["2016-02-29T04:16:00+00:00", "2016-02-29T05:00:00+00:00"]
        assert in_belgium == ["2016-02-29T00:16:00+00:00", "2016-02-29T01:00:00+00:00"]

    def test_states_become_kinds_and_the_vendor_holds_the_ticket_while_awaited(self):
        summary = load(DATA / "servicenow_sample.csv", tz="America/Sao_Paulo")

        assert (summary.stored, summary.rejected) == (9, 1)
        assert summary.errors[0]["where"] == "line 11"
        assert "3 columns" in summary.errors[0]["errors"][0]["msg"]
        story = [(e.kind, e.status, e.priority, e.team, e.supplier) for e in events_of("INC1")]
        assert story == [
            ("created", "New", "P3", "Group 1", ""),
            ("responded", "Active", "P3", "Group 1", ""),
            ("status_changed", "Awaiting Vendor", "P3", "Group 1", "Vendor 1"),
            ("status_changed", "Active", "P2", "Group 2", ""),
            ("resolved", "Resolved", "P2", "Group 2", ""),
            ("reopened", "Active", "P2", "Group 2", ""),
            ("closed", "Closed", "P2", "Group 2", ""),
        ]
        ticket = Ticket.objects.get(ticket_id="INC1")
        assert (ticket.stage, ticket.status, ticket.team.name, ticket.supplier) == (
            "closed", "Closed", "Group 2", None)
        assert ticket.payload["made_sla"] is False and ticket.payload["reopen_count"] == 1
        assert ticket.payload["assigned_to"] == "Resolver 1"

    def test_an_unnamed_vendor_and_waiting_for_the_user(self):
        load(DATA / "servicenow_sample.csv", tz="America/Sao_Paulo")

        first, second = events_of("INC2")
        assert (first.kind, first.supplier, first.priority) == ("created", "Unknown vendor", "P1")
        assert first.timestamp.isoformat() == "2016-03-01T14:30:00+00:00"  # opened_at
        assert (second.kind, second.supplier, second.payload["paused"]) == (
            "status_changed", "", True)


class TestBpiProblemSamples:
    def test_each_log_is_its_own_source_and_windows_1252_is_read(self):
        open_log = load(DATA / "VINST cases open problems.csv")
        closed_log = load(DATA / "VINST cases closed problems.csv")

        assert (open_log.format, open_log.stored, closed_log.stored) == (
            "bpi2013-problems", 2, 3)
        in_open = Ticket.objects.get(source="bpi2013-problems-open", ticket_id="1-5")
        in_closed = Ticket.objects.get(source="bpi2013-problems-closed", ticket_id="1-5")
        assert (in_open.stage, in_closed.stage) == ("open", "closed")
        assert in_open.payload["owner"] == "Jörg"
        assert in_closed.type == "problem" and in_closed.team.name == "M1 2nd"


class TestNormalizedCsv:
    def test_it_stores_good_rows_and_rejects_bad_ones_with_reasons(self):
        summary = load(DATA / "normalized_sample.csv")

        assert (summary.stored, summary.rejected) == (3, 2)
        reasons = {e["where"]: e["errors"][0] for e in summary.errors}
        assert reasons["line 4"]["field"] == "timestamp" and "naive" in reasons["line 4"]["msg"]
        assert reasons["line 6"]["field"] == "kind"
        ticket = Ticket.objects.get(ticket_id="CASE-1")
        assert ticket.payload == {"channel": "email", "category": "network"}
        assert ticket.service.name == "Web Shop"
        assert events_of("CASE-1")[1].public is True

    def test_tz_gives_offset_less_times_their_zone(self):
        summary = load(DATA / "normalized_sample.csv", tz="Europe/Brussels")

        assert summary.stored == 4
        assert events_of("CASE-1")[2].timestamp.isoformat() == "2025-03-03T09:00:00+00:00"

    def test_rows_without_an_event_id_get_a_stable_one(self):
        load(DATA / "normalized_sample.csv")
        derived = events_of("CASE-2")[0].event_id

        again = load(DATA / "normalized_sample.csv")

        assert derived.startswith("CASE-2/00001/")
        assert (again.stored, again.duplicates) == (0, 3)


def test_formats_are_recognised_from_the_files():
    assert detect_format(DATA / "bpi_incidents_sample.xes") == "bpi2013-incidents"
    assert detect_format(DATA / "servicenow_sample.csv") == "servicenow"
    assert detect_format(DATA / "VINST cases open problems.csv") == "bpi2013-problems"
    assert detect_format(DATA / "normalized_sample.csv") == "normalized"
    assert detect_format(REAL / "bpi2013_incidents.xes.gz") == "bpi2013-incidents"
    assert detect_format(REAL / "uci_incident_event_log.csv.gz") == "servicenow"
    assert detect_format(REAL / "bpi2013_closed_problems.csv.gz") == "bpi2013-problems"
    assert detect_format(REAL / "helpdesk_finale.csv.gz") == "helpdesk"


def test_an_unknown_format_is_unusable(tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b,c\n1,2,3\n")

    with pytest.raises(UnusableInput, match="--format"):
        detect_format(odd)


class TestRealLogs:
    """The public logs in shared/data/itsm, first cases only to keep the suite fast."""

    def test_bpi_2013_incidents_end_to_end(self):
        summary = load(REAL / "bpi2013_incidents.xes.gz", limit=300)

        assert summary.rejected == 0 and summary.tickets == 300
        assert Ticket.objects.count() == 300
        assert Source.objects.get().name == "bpi2013-incidents"
        # Every ticket starts with its creation and counts exactly its events.
        firsts = {}
        for e in TicketEvent.objects.order_by("timestamp", "id"):
            firsts.setdefault(e.ticket_id, e.kind)
        assert set(firsts.values()) == {"created"}
        assert sum(Ticket.objects.values_list("event_count", flat=True)) == summary.stored
        assert Team.objects.count() > 10  # support teams, created on the way

        again = load(REAL / "bpi2013_incidents.xes.gz", limit=300)
        assert (again.stored, again.duplicates) == (0, summary.stored)

    def test_uci_servicenow_log_needs_a_zone_and_then_imports(self):
        with pytest.raises(UnusableInput, match="--tz"):
            load(REAL / "uci_incident_event_log.csv.gz", limit=10)

        summary = load(REAL / "uci_incident_event_log.csv.gz", limit=200, tz="UTC")

        assert summary.rejected == 0 and summary.tickets == 200
        closed = Ticket.objects.filter(stage="closed").count()
        assert closed > 150  # nearly all incidents of the log end closed
        assert set(Ticket.objects.values_list("priority", flat=True)) <= {"P1", "P2", "P3", "P4"}

    def test_bpi_2013_problem_logs_and_helpdesk(self):
        opened = load(REAL / "bpi2013_open_problems.csv.gz", limit=50)
        closed = load(REAL / "bpi2013_closed_problems.csv.gz", limit=50)
        helpdesk = load(REAL / "helpdesk_finale.csv.gz", limit=50, tz="Europe/Rome")

        assert (opened.rejected, closed.rejected, helpdesk.rejected) == (0, 0, 0)
        assert set(Ticket.objects.values_list("source", flat=True)) == {
            "bpi2013-problems-open", "bpi2013-problems-closed", "helpdesk"}
        assert Ticket.objects.filter(source="helpdesk").count() == 50
