from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "accord.planning"
    label = "planning"
    verbose_name = "Planning (design tools)"

    def ready(self):
        from accord.agreements import signoff

        from .services import sign_off_check

        signoff.register(sign_off_check)
