from django.apps import AppConfig
from django.core import checks


class ReportingConfig(AppConfig):
    name = "accord.reporting"
    label = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        checks.register(metrics_allow_check)


def metrics_allow_check(app_configs=None, **kwargs):
    """ACCORD_METRICS_ALLOW must be networks (CIDRs): a typo would lock Prometheus out."""
    from django.core.exceptions import ImproperlyConfigured

    from .metrics import allowed_networks

    try:
        allowed_networks()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="accord.reporting.E001")]
    return []
