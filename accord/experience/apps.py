from django.apps import AppConfig


class ExperienceConfig(AppConfig):
    name = "accord.experience"
    label = "experience"
    verbose_name = "Experience"

    def ready(self):
        # The survey link joins the worker: one newly resolved ticket per step.
        from accord.escalation.worker import register_step
        from accord.measurement.importers import register_import

        from .importer import add_arguments, run
        from .survey import invite_next

        register_step(invite_next)
        register_import("feedback", add_arguments, run)
