import secrets

from django.core.management.base import BaseCommand, CommandError

from accord.accounts import services
from accord.accounts.choices import Role
from accord.lib.errors import InvalidInput


class Command(BaseCommand):
    help = "Create a user with a role. Prints a generated password unless --password is given."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", default=Role.READER, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Default: a random one, printed once.")
        parser.add_argument("--superuser", action="store_true", help="Django superuser too.")

    def handle(self, username, role, email, password, superuser, **options):
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        try:
            user = services.create_user(username, role=role, email=email, password=password)
        except InvalidInput as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        if superuser:
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        self.stdout.write(f"Created {user.username} ({user.get_role_display()}).")
        if generated:
            self.stdout.write(f"Password: {password}")
