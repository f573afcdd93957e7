"""One module per desk kind: verify a call, name its delivery, translate its payload."""

from types import SimpleNamespace

from . import generic, glpi, jira, servicenow, template, zammad, zendesk
from .mapping import Unmappable, clean_mapping, default_mapping

DESKS = {
    "generic": generic, "jira": jira, "zendesk": zendesk, "zammad": zammad,
    "servicenow": servicenow,
    "glpi": glpi,
    "freshservice": SimpleNamespace(verify=template.verify, delivery_key=template.delivery_key,
                                    translate=template.translate),
}

__all__ = ["DESKS", "Unmappable", "clean_mapping", "default_mapping"]
