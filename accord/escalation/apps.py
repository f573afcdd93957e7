from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "accord.escalation"
    label = "escalation"
    verbose_name = "Escalation"
