from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from accord.web import demo
from accord.web.management.commands.serve import serve


class Command(BaseCommand):
    help = "Load the EcoShop demo (once) and serve it; --no-serve only loads the data."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Only load the data.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, no_serve, host, port, **options):
        call_command("migrate", interactive=False, verbosity=0)
        already = demo.is_loaded()
        logins = demo.load(timezone.now())
        self.stdout.write("EcoShop demo " + ("already loaded." if already else "loaded."))
        self.stdout.write("Sign in with any of these (password for all: "
                          f"{demo.DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<8} {login.role}")
        if not no_serve:
            self.stdout.write(f"Open http://{host}:{port}/ and sign in as admin / "
                              f"{demo.DEMO_PASSWORD}")
            serve(host, port, migrate=False, stdout=self.stdout)
