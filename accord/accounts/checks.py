"""Configuration sanity for `accord check`: each check returns (level, message)."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

OK, WARN, FAIL = "ok", "warning", "error"


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return FAIL, f"database unreachable ({connection.vendor}): {exc}"
    return OK, f"database reachable ({connection.vendor}: {connection.settings_dict['NAME']})"


def check_migrations():
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return FAIL, f"cannot read migrations: {exc}"
    if pending:
        return WARN, f"{len(pending)} migration(s) not applied (accord serve applies them)"
    return OK, "migrations applied"


def check_secret_key():
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return WARN, "SECRET_KEY is the development key (refused in production)"
    if len(settings.SECRET_KEY) < 32:
        return WARN, "SECRET_KEY is shorter than 32 characters"
    return OK, "SECRET_KEY set"


def check_hosts():
    if settings.PRODUCTION and set(settings.ALLOWED_HOSTS) <= {"127.0.0.1", "localhost"}:
        return WARN, "ALLOWED_HOSTS only allows localhost"
    return OK, f"ALLOWED_HOSTS = {', '.join(settings.ALLOWED_HOSTS)}"


def check_email():
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend == "smtp" and settings.EMAIL_HOST in ("", "localhost") and settings.PRODUCTION:
        return WARN, "EMAIL_HOST is localhost: email notifications may not leave this machine"
    return OK, f"email via {backend} ({settings.EMAIL_HOST}:{settings.EMAIL_PORT})"


def check_worker():
    if settings.EMBEDDED and not settings.ACCORD_EMBEDDED_WORKER:
        return WARN, "SQLite without the embedded worker: run `accord worker` beside the server"
    if not settings.EMBEDDED and settings.ACCORD_EMBEDDED_WORKER:
        return OK, "embedded worker on (PostgreSQL: separate `accord worker` processes also fine)"
    return OK, "worker: embedded thread" if settings.EMBEDDED else "worker: run `accord worker`"


# The password `accord demo` gives its accounts outside production: public knowledge.
DEMO_PASSWORD = "accord-demo"
KNOWN_DEMO_PASSWORDS = (DEMO_PASSWORD,)


def accounts_with_demo_passwords() -> list[str]:
    """Usernames of active accounts that still sign in with a known demo password."""
    from .models import User

    users = User.objects.filter(is_active=True).exclude(password="").exclude(
        password__startswith="!")  # unusable passwords
    return [u.username for u in users.only("username", "password").order_by("username")
            if any(u.check_password(p) for p in KNOWN_DEMO_PASSWORDS)]


def check_demo_passwords():
    try:
        found = accounts_with_demo_passwords()
    except DatabaseError as exc:
        return WARN, f"cannot read the accounts: {exc}"
    if found:
        return FAIL, (f"{len(found)} account(s) still have the demo password: {', '.join(found)}"
                      " (give each a new one, or deactivate it)")
    return OK, "no account has a demo password"


CHECKS = [
    check_database, check_migrations, check_secret_key, check_hosts, check_email, check_worker,
    check_demo_passwords,
]


def run_checks():
    return [check() for check in CHECKS]
