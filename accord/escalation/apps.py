from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "accord.escalation"
    label = "escalation"
    verbose_name = "Escalation"

    def ready(self):
        # Connectors sit below escalation: their scheduled pull sync joins the worker here.
        from accord.connectors.worker import sync_due

        from .worker import register_step

        register_step(sync_due)
