"""``accord sync CONNECTOR [--since DATE]``: pull a desk's changes through its REST API."""

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accord.connectors.models import Connector
from accord.connectors.sync.client import SyncError
from accord.connectors.sync.runner import sync_connector


def _since(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since {text!r}: expected a date (2025-03-01) or an ISO 8601 "
                           "instant with an offset") from None
    if value.tzinfo is None:
        if len(text) > 10:
            raise CommandError(f"--since {text!r}: give the instant's offset (e.g. +00:00)")
        value = value.replace(tzinfo=UTC)
    return value


class Command(BaseCommand):
    help = ("Pull a connector's changes (Jira, Zendesk, ServiceNow, Zammad, GLPI) from its "
            "cursor.")

    def add_arguments(self, parser):
        parser.add_argument("connector", help="the connector's id or name")
        parser.add_argument("--since", help="start here instead of the stored cursor "
                            "(a date, read as UTC midnight, or an ISO 8601 instant)")

    def handle(self, *args, connector, since=None, **options):
        found = Connector.objects.filter(name=connector).first()
        if found is None and connector.isdigit():
            found = Connector.objects.filter(pk=int(connector)).first()
        if found is None:
            raise CommandError(f"no connector {connector!r} (give its id or name)")
        start = _since(since) if since else None
        try:
            report = sync_connector(found, now=timezone.now(), since=start)
        except SyncError as exc:
            raise CommandError(f"{found.name}: {exc} (what was stored before is kept; run "
                               "the same command again to resume)") from None
        waited = f", waited {sum(report.waited):.0f} s for rate limits" if report.waited else ""
        self.stdout.write(f"{found.name}: {report.pages} pages, {report.events} events: "
                          f"{report.stored} stored, {report.duplicates} duplicates, "
                          f"{report.rejected} rejected (see the dead letters){waited}")
