from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "accord.agreements"
    label = "agreements"
    verbose_name = "Agreements"

    def ready(self):
        from .audit_sentences import register

        register()  # how audit rows about versions and targets read
