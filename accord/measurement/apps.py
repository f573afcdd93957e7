from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "accord.measurement"
    label = "measurement"
    verbose_name = "Measurement"
