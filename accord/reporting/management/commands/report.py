"""``accord report --agreement SLA-0001 (--month 2025-03 | --quarter 2025-Q1 | --year 2025)
--format pdf|xlsx|csv|html|json [--output FILE]``, or ``--all`` for one file per agreement in
force during the period. Default file: ``SLA-0001-2025-03.pdf`` in the current directory
(with ``--all``, ``--output`` names a directory). The JSON is the API's.

With ``--all``, PDFs are laid out on ``--workers`` processes (default: one per CPU) while
this process reads the next reports' figures."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone

from accord.agreements.models import Agreement
from accord.lib.errors import DomainError
from accord.reporting import exports, queries, service_report
from accord.reporting.compliance import compliance_report
from accord.reporting.periods import period_from


class Command(BaseCommand):
    help = "Write an agreement's compliance report for a month, quarter or year."

    def add_arguments(self, parser):
        parser.add_argument("--agreement", help="reference such as SLA-0001, or id")
        parser.add_argument("--all", action="store_true",
                            help="one report per agreement in force during the period")
        period = parser.add_mutually_exclusive_group(required=True)
        period.add_argument("--month", help="2025-03")
        period.add_argument("--quarter", help="2025-Q1")
        period.add_argument("--year", help="2025")
        parser.add_argument("--format", default="pdf", choices=exports.KNOWN,
                            help="pdf (default), xlsx, csv, html or json")
        parser.add_argument("--output", help="file to write (with --all: a directory); "
                            "default: SLA-0001-2025-03.pdf etc. in the current directory")
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                            help="with --all: processes laying out PDFs (default: one per "
                            "CPU)")

    def handle(self, *args, agreement=None, all=False, month=None, quarter=None, year=None,
               format="pdf", output=None, workers=1, **options):
        if bool(agreement) == bool(all):
            raise CommandError("give --agreement SLA-0001 or --all (not both)")
        if workers < 1:
            raise CommandError(f"--workers must be 1 or more, got {workers}")
        try:
            fmt = exports.get_format(format)
            if all:
                targets = []
                for found in (Agreement.objects.filter(versions__frozen_at__isnull=False)
                              .distinct().select_related("calendar", "customer")
                              .order_by("kind", "id")):
                    period = period_from(month, quarter, year, tz=found.reporting_zone)
                    if queries.in_force(Agreement.objects.filter(pk=found.pk),
                                        period.start_utc, period.end_utc).exists():
                        targets.append((found, period))
            else:
                found = queries.find_agreement(agreement)
                targets = [(found, period_from(month, quarter, year, tz=found.reporting_zone))]
        except Http404 as exc:
            raise CommandError(f"--agreement: {exc}") from None
        except DomainError as exc:
            raise CommandError(f"--{exc.field or 'format'}: {exc.message}") from None
        now = timezone.now()
        folder = Path(output) if all and output else Path.cwd()
        if all:
            folder.mkdir(parents=True, exist_ok=True)
        if fmt.name in service_report.RENDERERS:  # the service report's documents
            written = service_report.render_many(targets, fmt.name, now,
                                                 workers=min(workers, len(targets)))
        else:
            written = ((found, period, fmt.render(report),
                        exports.default_filename(report, fmt.name))
                       for found, period in targets
                       for report in [compliance_report(found, period, now=now)])
        for found, period, content, name in written:
            path = Path(output) if output and not all else folder / name
            path.write_bytes(content)
            self.stdout.write(f"{found.reference} {period.label}: {path}")
        if all and not targets:
            self.stdout.write("no agreement was in force during the period")
