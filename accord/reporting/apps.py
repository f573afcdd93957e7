from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "accord.reporting"
    label = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        # The monthly service report goes out on each period's first business day.
        from accord.escalation.worker import register_step

        from .delivery import deliver_reports_step

        register_step(deliver_reports_step)
