"""A truncated or corrupt file ends an import in an honest state: what was read before is
stored with its clocks and the message says where it stopped, or nothing is stored. Never a
traceback; always a non-zero exit."""

import gzip
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accord.agreements import services as agreements
from accord.agreements import versions
from accord.measurement.models import Clock, Ticket, TicketEvent
from tests.conftest import NOW
from tests.measurement.clock_world import JAN_1, sign

REAL = Path(__file__).parents[2].parent / "shared/data/itsm"

pytestmark = pytest.mark.django_db


def cut(name: str, fraction: float, tmp_path) -> Path:
    """A copy of a real log cut after ``fraction`` of its (compressed) bytes."""
    data = (REAL / name).read_bytes()
    path = tmp_path / f"cut-{name}"
    path.write_bytes(data[:int(len(data) * fraction)])
    return path


def run(*args):
    """(summary printed on stdout, the CommandError's message or None)."""
    out = io.StringIO()
    try:
        call_command("import", "events", *map(str, args), "--create-missing", "--json",
                     stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return (json.loads(out.getvalue()) if out.getvalue() else None), str(exc)
    return json.loads(out.getvalue()), None


@pytest.fixture
def measured(slm):
    """A corporate SLA over everything since 2009: every imported ticket gets clocks."""
    sla = agreements.create_agreement(by=slm, now=NOW, name="Everything", kind="sla",
                                      structure="corporate",
                                      effective_from=JAN_1.replace(year=2009))
    versions.add_target(sla.latest_version(), by=slm, now=NOW, metric="response",
                        duration_seconds=8 * 3600)
    sign(sla.latest_version(), slm)
    return sla


def test_a_gzip_cut_at_60_percent_keeps_what_was_read_with_its_clocks(measured, tmp_path):
    path = cut("helpdesk_finale.csv.gz", 0.6, tmp_path)

    summary, error = run(path, "--tz", "Europe/Rome")

    # The message says where and why, how much is kept, and what to do; the exit is non-zero.
    assert error.startswith("stopped at line ")
    assert "the file is truncated" in error
    assert f"{summary['stored']:,} events stored" in error
    assert "run the same command again with the complete file" in error
    assert summary["complete"] is False and summary["stopped"]["reason"].startswith(
        "the file is truncated")
    stored = TicketEvent.objects.count()
    assert stored == summary["stored"] > 10_000
    # Every stored ticket has its clock, now, without a recompute.
    tickets = Ticket.objects.count()
    assert tickets == summary["tickets"]
    assert Clock.objects.filter(metric="response").values("ticket").distinct().count() == tickets

    # The complete file then adds the rest and skips what is stored.
    again, error = run(REAL / "helpdesk_finale.csv.gz", "--tz", "Europe/Rome")
    assert error is None and again["complete"] is True
    assert (again["duplicates"], again["conflicts"], again["rejected"]) == (stored, 0, 0)
    assert again["stored"] > 0


def test_a_small_file_cut_short_stores_nothing_and_says_so(measured, tmp_path):
    path = cut("bpi2013_open_problems.csv.gz", 0.6, tmp_path)

    summary, error = run(path)

    assert summary is None
    assert "the file is truncated" in error and "nothing was stored" in error
    assert not TicketEvent.objects.exists() and not Ticket.objects.exists()


def test_a_garbled_xes_stops_where_the_xml_breaks(measured, tmp_path):
    with gzip.open(REAL / "bpi2013_incidents.xes.gz", "rb") as f:
        head = f.read(4_100_000)  # the log's metadata, then some 4,000 events
    broken = head[:4_000_000] + b"<event><<garbage &&& >" + head[4_000_000:]
    path = tmp_path / "garbled.xes"
    path.write_bytes(broken)

    summary, error = run(path)

    line = head[:4_000_000].count(b"\n") + 1
    assert error.startswith(f"stopped at line {line:,}: the XES is not well-formed XML")
    assert summary["stored"] == TicketEvent.objects.count() > 1000
    tickets = Ticket.objects.count()
    assert Clock.objects.filter(metric="response").values("ticket").distinct().count() == tickets


def test_bytes_in_another_encoding_part_way_stop_the_import_at_their_line(db, tmp_path):
    # The first megabyte is UTF-8, so the file is read as UTF-8; a Latin-1 byte comes later.
    lines = ["ticket_id,timestamp,kind,note"]
    for n in range(1, 6001):
        note = "caf\xe9" if n == 5500 else "x" * 200
        lines.append(f"T{n},2025-03-03T09:00:00Z,created,{note}")
    path = tmp_path / "mixed.csv"
    path.write_bytes("\n".join(lines).encode("utf-8").replace("caf\xe9".encode(), b"caf\xe9"))

    summary, error = run(path)

    assert error is not None and "not valid utf-8" in error and "byte 0xe9" in error
    assert summary["complete"] is False
    assert summary["stored"] == TicketEvent.objects.count() > 4000


def test_a_file_in_an_undecodable_encoding_stores_nothing(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"ticket_id,timestamp,kind,status\nT1,2025-03-03T09:00:00Z,created,"
                     b"\x81\x8d\n")

    summary, error = run(path)

    assert summary is None and "nothing was stored" in error and "byte 0x81" in error
    assert not TicketEvent.objects.exists()


def test_a_truncated_outage_file_stores_nothing_and_says_so(db, tmp_path):
    from accord.catalogue.models import Service
    from accord.measurement.models import Outage

    Service.objects.create(name="Web Shop")
    text = "service,start,end,description\n" + "".join(
        f"Web Shop,2025-03-{d:02d}T09:00:00Z,2025-03-{d:02d}T10:00:00Z,outage {'x' * n}\n"
        for d in range(1, 28) for n in range(40))
    whole = gzip.compress(text.encode())
    path = tmp_path / "outages.csv.gz"
    path.write_bytes(whole[:len(whole) * 6 // 10])

    with pytest.raises(CommandError, match="the file is truncated.*nothing was stored"):
        call_command("import", "outages", str(path), stdout=io.StringIO())

    assert not Outage.objects.exists()


def test_an_interrupted_import_keeps_the_committed_batches_with_their_clocks(measured,
                                                                             tmp_path,
                                                                             monkeypatch):
    import accord.measurement.importers as importers

    path = tmp_path / "log.csv"
    path.write_text("ticket_id,timestamp,kind\n" + "".join(
        f"T{n},2025-03-03T09:00:00Z,created\n" for n in range(1, 301)))
    real, calls = importers.ingest_events, []

    def interrupted_on_the_third_batch(items, **kwargs):
        calls.append(len(items))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(items, **kwargs)

    monkeypatch.setattr(importers, "ingest_events", interrupted_on_the_third_batch)

    summary = importers.run_import(importers.importer_for(path), now=NOW, batch_size=100)

    assert summary.stored == 200 == Ticket.objects.count()
    assert summary.stopped == {"at": "line 202", "reason": "the import was interrupted"}
    assert summary.message.startswith("stopped at line 202: the import was interrupted; "
                                      "200 events stored")
    assert "run the same command again — it will skip what is stored" in summary.message
    assert Clock.objects.filter(metric="response").values("ticket").distinct().count() == 200
