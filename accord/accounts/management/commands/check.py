from django.core.management.base import CommandError
from django.core.management.commands.check import Command as DjangoCheck

from accord.accounts.checks import FAIL, run_checks


class Command(DjangoCheck):
    help = "Configuration sanity: Django's system checks plus Accord's own (database, keys, email)."

    def handle(self, *app_labels, **options):
        super().handle(*app_labels, **options)
        failed = False
        for level, message in run_checks():
            mark = {"ok": "ok  ", "warning": "WARN", "error": "FAIL"}[level]
            self.stdout.write(f"[{mark}] {message}")
            failed |= level == FAIL
        if failed:
            raise CommandError("configuration check failed")
