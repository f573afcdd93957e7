from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accord.accounts import services
from accord.accounts.models import ApiToken, User
from accord.lib.errors import InvalidInput


class Command(BaseCommand):
    help = "Manage API tokens: create USER --name N [--scope read|write], list [USER], revoke ID."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token; it is printed once.")
        create.add_argument("username")
        create.add_argument("--name", default="cli")
        create.add_argument("--scope", default="read", choices=["read", "write"])
        listing = sub.add_parser("list", help="List tokens (never their values).")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="Revoke a token by id.")
        revoke.add_argument("token_id", type=int)

    def handle(self, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def _user(self, username):
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"username: no user {username!r}") from None

    def handle_create(self, username, name, scope, **_):
        try:
            token, raw = services.create_token(self._user(username), name, scope)
        except InvalidInput as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        self.stdout.write(f"Token {token.id} ({token.scope}) for {username}; store it now:")
        self.stdout.write(raw)

    def handle_list(self, username=None, **_):
        tokens = ApiToken.objects.select_related("user").order_by("id")
        if username:
            tokens = tokens.filter(user=self._user(username))
        for t in tokens:
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            self.stdout.write(
                f"{t.id:>4}  {t.user.username:<16} {t.name:<20} {t.prefix}…  {t.scope:<5} "
                f"{state:<24} last used {used}"
            )

    def handle_revoke(self, token_id, **_):
        try:
            token = ApiToken.objects.get(pk=token_id)
        except ApiToken.DoesNotExist:
            raise CommandError(f"token_id: no token {token_id}") from None
        services.revoke_token(token, by=None, now=timezone.now())
        self.stdout.write(f"Revoked token {token_id}.")
