from django.core.management.base import BaseCommand

from accord.escalation.worker import run_worker


class Command(BaseCommand):
    help = "Fire escalation steps and deliver the notification outbox, until SIGTERM/SIGINT."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="Do everything due now, then exit (for cron and tests).")
        parser.add_argument("--interval", type=float, default=None,
                            help="Longest idle sleep in seconds (ACCORD_WORKER_INTERVAL).")

    def handle(self, once, interval, **options):
        run_worker(interval=interval, once=once)
