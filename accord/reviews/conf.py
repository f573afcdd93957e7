"""Governance knobs, read from Django settings with these defaults.

    ACCORD_ACTION_DUE_DAYS        days ahead an action raised without a due date is due
    ACCORD_ACTION_GRACE_DAYS      days an action may be overdue before its service owner hears
    ACCORD_REMINDER_CHANNEL       the channel (name) reminders go through; empty: the first
                                  enabled email channel
    ACCORD_REVIEW_LEAD_DAYS       a performance review is due this many days after its period
    ACCORD_REVIEW_NOTICE_DAYS     the agreement owner is reminded this many days before
    ACCORD_DOCUMENTS_DIR          where uploaded documents are stored (Django's file storage);
                                  default DATA_DIR/documents; a "documents" entry in
                                  STORAGES replaces it (e.g. an object store)
    ACCORD_DOCUMENT_MAX_BYTES     the largest document accepted (default 10 MB)
    ACCORD_REPEATED_BREACHES      default N: the same target breached N times in a period
                                  raises one action (per agreement: its governance settings)
"""

from django.conf import settings

DEFAULTS = {
    "ACCORD_ACTION_DUE_DAYS": 7,
    "ACCORD_ACTION_GRACE_DAYS": 3,
    "ACCORD_REMINDER_CHANNEL": "",
    "ACCORD_REPEATED_BREACHES": 3,
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])


DEFAULTS.update({
    "ACCORD_REVIEW_LEAD_DAYS": 10,   # a performance review is due this long after its period
    "ACCORD_REVIEW_NOTICE_DAYS": 7,  # the agreement owner hears this long before the date
})


DEFAULTS.update({"ACCORD_DOCUMENTS_DIR": "", "ACCORD_DOCUMENT_MAX_BYTES": 10 * 1024 * 1024})
