"""``accord import events FILE`` / ``accord import outages FILE`` / ``accord import maintenance
FILE``: load ticket logs, outages or maintenance windows, and say what happened. Apps above
measurement add their own kinds (``register_import``), e.g. ``accord import feedback FILE``.

Exits non-zero when the input is unusable (unknown format, missing --tz, unreadable file:
nothing is stored) or breaks off part way (what was read before is stored, with its clocks,
and the message says where it stopped); rejected rows are reported, not fatal.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accord.measurement.importers import (
    EXTRA_IMPORTS,
    FORMATS,
    UnusableInput,
    importer_for,
    run_import,
)
from accord.measurement.importers.outages import import_file


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    WIDTH = 30

    def __init__(self, stream, label: str):
        self.stream = stream
        self.label = label
        self.enabled = hasattr(stream, "isatty") and stream.isatty()

    def update(self, summary, fraction) -> None:
        if not self.enabled:
            return
        filled = int(self.WIDTH * (fraction or 0))
        percent = f"{fraction:4.0%}" if fraction is not None else "  ? "
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'-' * (self.WIDTH - filled)}] {percent} "
            f"{summary.rows:,} rows: {summary.stored:,} stored, {summary.duplicates:,} "
            f"duplicates, {summary.rejected:,} rejected"
        )
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = "Import ticket events, outages or maintenance windows from a file."

    def add_arguments(self, parser):
        names = ",".join(["events", "outages", "maintenance", *EXTRA_IMPORTS])
        sub = parser.add_subparsers(dest="what", required=True, metavar=f"{{{names}}}")
        events = sub.add_parser("events", help="ticket events from a ticket log")
        events.add_argument("file")
        events.add_argument("--format", choices=sorted(FORMATS),
                            help="the file's format (default: recognised from the file)")
        events.add_argument("--tz", help="IANA zone of times without an offset (required for "
                            "formats with local times, e.g. servicenow, helpdesk)")
        events.add_argument("--create-missing", action="store_true",
                            help="create unknown services, customers, teams and suppliers")
        events.add_argument("--source", help="source name (default: per format)")
        events.add_argument("--mapping", help="JSON file merged over the format's status and "
                            "kind mapping")
        events.add_argument("--limit", type=int, help="import only the first N tickets")
        events.add_argument("--batch-size", type=int, default=5000)
        events.add_argument("--json", action="store_true",
                            help="print the summary as one JSON object on stdout")
        for name, what in (("outages", "outages"), ("maintenance", "maintenance windows")):
            p = sub.add_parser(name, help=f"{what} from a CSV file")
            p.add_argument("file")
            p.add_argument("--tz", help="IANA zone of times without an offset")
            p.add_argument("--source", default="", help="source of rows that name none")
            p.add_argument("--json", action="store_true",
                           help="print the summary as one JSON object on stdout")
        for name, (add_arguments, _) in EXTRA_IMPORTS.items():
            add_arguments(sub.add_parser(name, help=f"{name} from a file"))

    def handle(self, *args, **options):
        try:
            if options["what"] == "events":
                summary = self._events(options)
            elif options["what"] in EXTRA_IMPORTS:
                summary = EXTRA_IMPORTS[options["what"]][1](options)
            else:
                kind = "outage" if options["what"] == "outages" else "maintenance"
                summary = import_file(options["file"], kind, source=options["source"],
                                      tz_name=options["tz"])
        except UnusableInput as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror or exc}") from None
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self._print(summary)
        if summary.get("message"):  # the file broke off: what was read is stored, say so
            raise CommandError(summary["message"])

    def _events(self, options) -> dict:
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        importer = importer_for(options["file"], options["format"], source=options["source"],
                                tz=options["tz"], mapping=options["mapping"])
        bar = ProgressBar(getattr(self.stderr, "_out", sys.stderr),
                          f"importing {importer.format}")
        try:
            summary = run_import(importer, now=timezone.now(),
                                 create_missing=options["create_missing"],
                                 limit=options["limit"], batch_size=options["batch_size"],
                                 on_progress=bar.update)
        finally:
            bar.done()
        return summary.as_dict()

    def _print(self, s: dict) -> None:
        took = f" in {s['seconds']:.1f} s" if "seconds" in s else ""
        tickets = f", {s['tickets']:,} tickets" if "tickets" in s else ""
        self.stdout.write(f"Imported {s['path']} ({s['format']}){took}: {s['rows']:,} rows"
                          f"{tickets}")
        self.stdout.write(f"  stored      {s['stored']:>10,}")
        self.stdout.write(f"  duplicates  {s['duplicates']:>10,}")
        if "conflicts" in s:  # same id, different content: the stored record was kept
            self.stdout.write(f"  conflicts   {s['conflicts']:>10,}")
        self.stdout.write(f"  rejected    {s['rejected']:>10,}")
        if s.get("conflicts"):
            self.stdout.write(f"  conflicts   {s['conflicts']:>10,}  (event ids stored before "
                              "with other content; the stored events are kept)")
            self.stdout.write(f"First conflicting event ids: {', '.join(s['conflict_ids'])}")
        if s["errors"]:
            self.stdout.write(f"First rejected rows ({len(s['errors'])} of {s['rejected']:,}):")
            for error in s["errors"]:
                reasons = "; ".join(f"{e['field']}: {e['msg']}" if e["field"] else e["msg"]
                                    for e in error["errors"])
                self.stdout.write(f"  {error['where']}: {reasons}")
        if s.get("uncovered"):
            self._print_uncovered(s["uncovered"])

    def _print_uncovered(self, u: dict) -> None:
        span = f", opened {u['first_opened'][:10]} to {u['last_opened'][:10]}" if u[
            "first_opened"] else ""
        self.stdout.write(f"No target covers {u['tickets']:,} of the {u['of']:,} tickets of "
                          f"{', '.join(u['sources']) or 'this import'}{span}:")
        self.stdout.write(f"  {'service':<24} {'customer':<20} {'priority':<10} "
                          f"{'tickets':>8}  opened")
        for g in u["groups"]:
            opened = f"{(g['first_opened'] or '?')[:10]} to {(g['last_opened'] or '?')[:10]}"
            self.stdout.write(f"  {g['service'] or '(none)':<24.24} "
                              f"{g['customer'] or '(none)':<20.20} "
                              f"{g['priority'] or '(none)':<10.10} {g['tickets']:>8,}  "
                              f"{opened}")
        if u["more_groups"]:
            self.stdout.write(f"  ... and {u['more_groups']:,} more combinations")
        self.stdout.write(u["advice"])
