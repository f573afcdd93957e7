"""``accord agreements export|schema|apply|validate|diff``: agreements as code (YAML).

    accord agreements export SLA-0001 [--version N] [--output FILE]
    accord agreements schema [--output FILE]
    accord agreements validate FILE     (writes nothing; exit 1 and one line per error)
    accord agreements diff FILE         (what apply would change)
    accord agreements apply FILE        (creates or updates a draft, never a signed version)
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone

from accord.agreements.models import AgreementVersion
from accord.lib.errors import DomainError
from accord.planning import ascode, ascode_apply
from accord.reporting.queries import find_agreement


class Command(BaseCommand):
    help = "Agreements as code: export, schema, validate, diff, apply (YAML)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names the agreement version here, not Django's own version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve",
                                     **kwargs)

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write an agreement version as YAML")
        export.add_argument("agreement", help="reference such as SLA-0001, or id")
        export.add_argument("--version", type=int, help="version number (default: latest)")
        export.add_argument("--output", help="file to write (default: standard output)")
        schema = sub.add_parser("schema", help="the JSON Schema of an agreement file")
        schema.add_argument("--output", help="file to write (default: standard output)")
        for name, text in (("validate", "check a file without writing"),
                           ("diff", "show what apply would change"),
                           ("apply", "create or update a draft from a file")):
            sub.add_parser(name, help=text).add_argument("file")

    def handle(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    def _write(self, text: str, output):
        if output:
            Path(output).write_text(text)
            self.stdout.write(f"written: {output}")
        else:
            self.stdout.write(text, ending="")

    def _export(self, agreement, version=None, output=None, **_):
        try:
            found = find_agreement(agreement)
        except (Http404, DomainError) as exc:
            raise CommandError(f"agreement: {exc}") from None
        chosen = (AgreementVersion.objects.filter(agreement=found, number=version).first()
                  if version else found.latest_version())
        if chosen is None:
            raise CommandError(f"--version: {found.reference} has no version {version}")
        self._write(ascode.dump(ascode.export_version(chosen)), output)

    def _schema(self, output=None, **_):
        self._write(json.dumps(ascode.schema(), indent=2) + "\n", output)

    def _read(self, file) -> dict:
        try:
            return ascode.load(Path(file).read_text())
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        except ValueError as exc:
            raise CommandError(f"{file}: {exc}") from None

    def _validate(self, file, **_):
        plan = ascode_apply.validate(self._read(file))
        if plan.errors:
            raise CommandError(f"{file}: {len(plan.errors)} error(s)\n" + "\n".join(plan.errors))
        self.stdout.write(f"{file}: valid ({len(plan.targets)} target(s))")

    def _diff(self, file, **_):
        data = self._read(file)
        plan = ascode_apply.validate(data)
        if plan.errors:
            raise CommandError(f"{file}: {len(plan.errors)} error(s)\n" + "\n".join(plan.errors))
        lines = ascode_apply.diff(data)
        self.stdout.write("\n".join(lines) if lines else "no changes")

    def _apply(self, file, **_):
        data = self._read(file)
        plan = ascode_apply.validate(data)
        if plan.errors:
            raise CommandError(f"{file}: {len(plan.errors)} error(s)\n" + "\n".join(plan.errors))
        try:
            draft = ascode_apply.apply(data, by=None, now=timezone.now())
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.message}" if exc.field else exc.message
                               ) from None
        self.stdout.write(f"{draft.agreement.reference} v{draft.number} (draft): "
                          f"{draft.targets.count()} target(s)")
