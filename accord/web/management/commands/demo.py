"""``accord demo``: load the EcoShop demo (once), optionally import a real ticket log as
more history (``--history FILE [--tz ZONE]``), then serve it."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accord.measurement.importers import UnusableInput, importer_for, run_import
from accord.web import demo
from accord.web.management.commands.serve import serve


class Command(BaseCommand):
    help = "Load the EcoShop demo (once) and serve it; --no-serve only loads the data."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Only load the data.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--history", metavar="FILE",
                            help="also import this ticket log (e.g. a BPI 2013 .xes.gz), "
                                 "creating the services and teams it names")
        parser.add_argument("--tz", help="IANA zone of the log's times without an offset")
        parser.add_argument("--allow-production", action="store_true",
                            help="load it in production too, with random passwords printed "
                                 "once")

    def handle(self, no_serve, host, port, history, tz, allow_production, **options):
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                "refusing to load the demo in production (ACCORD_ENV=production): it creates "
                "accounts anyone can guess. Pass --allow-production to load it anyway, with "
                "random passwords printed once.")
        call_command("migrate", interactive=False, verbosity=0)
        already = demo.is_loaded()
        logins = demo.load(timezone.now(), random_passwords=settings.PRODUCTION)
        self.stdout.write("EcoShop demo " + ("already loaded." if already else "loaded."))
        if history:
            self._import(history, tz)
        if settings.PRODUCTION:
            self.stdout.write("Sign in with these passwords, shown this once (store them now):")
            for login in logins:
                password = login.password or "(unchanged: shown when it was set)"
                self.stdout.write(f"  {login.username:<8} {login.role:<22} {password}")
        else:
            self.stdout.write("Sign in with any of these (password for all: "
                              f"{demo.DEMO_PASSWORD}):")
            for login in logins:
                self.stdout.write(f"  {login.username:<8} {login.role}")
        if not no_serve:
            self.stdout.write(f"Open http://{host}:{port}/ and sign in as admin.")
            serve(host, port, migrate=False, stdout=self.stdout)

    def _import(self, path: str, tz: str | None) -> None:
        try:
            importer = importer_for(path, source=None, tz=tz, mapping=None)
            s = run_import(importer, now=timezone.now(), create_missing=True)
        except UnusableInput as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
        self.stdout.write(f"Imported {s.path} ({s.format}) in {s.seconds:.1f} s: {s.rows:,} "
                          f"rows, {s.tickets:,} tickets: {s.stored:,} events stored, "
                          f"{s.duplicates:,} duplicates, {s.rejected:,} rejected.")
        for error in s.errors[:5]:
            reasons = "; ".join(e.get("msg", "") for e in error["errors"])
            self.stdout.write(f"  {error['where']}: {reasons}")
