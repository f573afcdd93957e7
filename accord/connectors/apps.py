from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "accord.connectors"
    label = "connectors"
    verbose_name = "Connectors"
