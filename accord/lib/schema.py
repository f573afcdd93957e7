"""Commands that need the database schema, on a database that lacks (part of) it.

A fresh install has no tables until ``accord migrate``; ``accord serve`` applies migrations
when it starts. The other commands that read or write the database call ``ensure_schema``
first (from ``accord.cli``): on the embedded SQLite database (one process, nobody else to
race with) pending migrations are applied, as ``serve`` does; on a shared database
(PostgreSQL, where several processes may start at once) the command stops and says exactly
what to run. ``accord check`` never changes anything: it reports what to run.
"""

from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

# Commands that read or write Accord's tables (``serve`` and ``demo`` migrate themselves).
NEEDS_SCHEMA = frozenset({"import", "recompute", "worker", "createuser", "token", "check",
                          "report", "sync", "changepassword", "createsuperuser"})
REPORT_ONLY = frozenset({"check"})


class SchemaMissing(Exception):
    """The schema is not up to date and this command may not apply it: what to run."""


def pending_migrations() -> list[str]:
    """The migrations not applied yet, as "app.name", in the order they would run."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def ensure_schema(command: str, stderr) -> None:
    """Make the schema ready for ``command``, or raise SchemaMissing saying what to run."""
    try:
        pending = pending_migrations()
    except DatabaseError as exc:
        if command in REPORT_ONLY:
            return  # ``check`` reports an unreachable database itself
        raise SchemaMissing(f"cannot reach the database ({exc}); check DATABASE_URL") from None
    if not pending:
        return
    fresh = len(pending) == len(MigrationExecutor(connection).loader.graph.nodes)
    state = "has no tables yet" if fresh else f"lacks {len(pending)} migrations"
    if connection.vendor == "sqlite" and command not in REPORT_ONLY:
        stderr.write(f"The database {state}: applying {len(pending)} migrations first "
                     "(as `accord serve` does)...\n")
        call_command("migrate", interactive=False, verbosity=0)
        return
    raise SchemaMissing(
        f"The database {state} (first: {pending[0]}). Run `accord migrate` once (or start "
        f"`accord serve`, which applies them), then run `accord {command}` again.")
