from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "accord.catalogue"
    label = "catalogue"
    verbose_name = "Service catalogue"
