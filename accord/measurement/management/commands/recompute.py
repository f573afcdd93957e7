"""``accord recompute [--since DATE] [--agreement X] [--workers N]``: rebuild stored clocks
from events."""

import re
import time
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accord.agreements.models import Agreement
from accord.measurement.recompute import recompute


def _since(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since: not an ISO date or instant: {text!r}") from None
    if value.tzinfo is None:
        if len(text) > 10:
            raise CommandError(f"--since: naive time {text!r} (give an offset, e.g. Z)")
        value = value.replace(tzinfo=UTC)  # a plain date: midnight UTC
    return value


def _agreement(text: str) -> int:
    match = re.fullmatch(r"(?:(?:SLA|OLA|UC)-)?0*(\d+)", text.strip(), re.IGNORECASE)
    if match is None or not Agreement.objects.filter(pk=int(match[1])).exists():
        raise CommandError(f"--agreement: no agreement {text!r} (give its id or reference)")
    return int(match[1])


class Command(BaseCommand):
    help = "Rebuild stored clocks from ticket events (all, since a date, or of one agreement)."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="only tickets opened at or after this date/instant")
        parser.add_argument("--agreement", help="only tickets of this agreement (id or "
                            "reference such as SLA-0001)")
        parser.add_argument("--workers", type=int, default=1,
                            help="processes sharing the work, each with its own database "
                            "connection (PostgreSQL only; SQLite uses one)")

    def handle(self, *args, since=None, agreement=None, workers=1, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        since = _since(since) if since else None
        agreement = _agreement(agreement) if agreement else None
        started = time.perf_counter()
        tickets, clocks = recompute(timezone.now(), since=since, agreement=agreement,
                                    workers=workers)
        self.stdout.write(f"recomputed {tickets:,} tickets: {clocks:,} clocks stored in "
                          f"{time.perf_counter() - started:.1f} s")
