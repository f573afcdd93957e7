"""The `accord` command: Django management commands under one name.

    accord demo            load the EcoShop demo and serve it on http://127.0.0.1:8000
    accord serve           web server (+ embedded worker thread on SQLite), migrations on start
    accord worker          the escalation and delivery worker
    accord createuser      add a user with a role
    accord token           create | list | revoke API tokens
    accord import          import ticket events, outages or feedback (CSV, XES, ServiceNow)
    accord recompute       rebuild stored clocks from events
    accord sync            pull a service desk connector's changes (REST API, resumable)
    accord report          an agreement's compliance report (--agreement, --month|--quarter|--year)
    accord review-pack     a review's pack (REVIEW_ID --format pdf|xlsx)
    accord simulate        what-if replay of an agreement version (--version, --from, --to)
    accord agreements      agreements as code: export | schema | validate | diff | apply (YAML)
    accord check           configuration sanity
    accord <django command> (migrate, shell, ...) also works
"""

import os
import sys

ACCORD_COMMANDS = ["demo", "serve", "worker", "createuser", "token", "import", "recompute", "check",
                   "sync", "report", "simulate", "agreements", "review-pack"]


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    if not argv or argv[0] in ("-h", "--help", "help") and len(argv) == 1:
        print(__doc__.strip())
        return
    from django.core.management import execute_from_command_line

    if argv[0] in _schema().NEEDS_SCHEMA and not {"-h", "--help"} & set(argv):
        _ensure_schema(argv[0])
    execute_from_command_line(["accord", *argv])


def _schema():
    import django

    django.setup()
    from accord.lib import schema

    return schema


def _ensure_schema(command: str) -> None:
    """A fresh install has no tables: migrate first, or say what to run (no traceback)."""
    schema = _schema()
    try:
        schema.ensure_schema(command, sys.stderr)
    except schema.SchemaMissing as exc:
        sys.stderr.write(f"{exc}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
