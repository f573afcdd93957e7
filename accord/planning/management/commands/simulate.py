"""``accord simulate --agreement SLA-0001 --version 4 --from 2025-01-01 --to 2025-12-31
[--format json|csv] [--output FILE]``: the what-if replay of one agreement version (JSON as
the API's), written to standard output or FILE. Writes nothing but one audit entry."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone

from accord.agreements.models import AgreementVersion
from accord.lib.errors import DomainError
from accord.planning.exports import render_csv
from accord.planning.simulate import simulate
from accord.reporting.exports import render_json
from accord.reporting.queries import find_agreement


class Command(BaseCommand):
    help = "Replay an agreement version over the stored events of a date range."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names the agreement version here, not Django's own version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve",
                                     **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--agreement", required=True, help="reference such as SLA-0001, or id")
        parser.add_argument("--version", required=True, type=int, help="version number")
        parser.add_argument("--from", dest="first", required=True, help="first day, 2025-01-01")
        parser.add_argument("--to", dest="last", required=True,
                            help="last day (inclusive), 2025-12-31")
        parser.add_argument("--format", default="json", choices=("json", "csv"))
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, agreement, version, first, last, format="json", output=None,
               **options):
        try:
            found = find_agreement(agreement)
            chosen = AgreementVersion.objects.select_related("agreement").filter(
                agreement=found, number=version).first()
            if chosen is None:
                raise CommandError(f"--version: {found.reference} has no version {version}")
            result = simulate(chosen, first, last, now=timezone.now())
        except Http404 as exc:
            raise CommandError(f"--agreement: {exc}") from None
        except DomainError as exc:
            raise CommandError(f"--{exc.field or 'agreement'}: {exc.message}") from None
        body = render_csv(result) if format == "csv" else render_json(result)
        if output:
            Path(output).write_bytes(body)
            self.stdout.write(f"{found.reference} v{version}: {output}")
        else:
            self.stdout.write(body.decode(), ending="")
