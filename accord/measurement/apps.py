from django.apps import AppConfig
from django.db.models.signals import post_save


def _calendar_saved(sender, instance, created, **kwargs):
    """A changed calendar (its version moved on) recomputes the clocks measured in it."""
    if created:
        return
    from django.utils import timezone

    from .recompute import calendar_changed

    calendar_changed(instance, timezone.now())


class MeasurementConfig(AppConfig):
    name = "accord.measurement"
    label = "measurement"
    verbose_name = "Measurement"

    def ready(self):
        from accord.catalogue.models import Calendar

        post_save.connect(_calendar_saved, sender=Calendar,
                          dispatch_uid="measurement.calendar_saved")
