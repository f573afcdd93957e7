"""The default reason codes of breaches and missed objectives, so a new installation can
investigate from its first day (administrators add, relabel or retire codes later).
Idempotent: a code that is there already is left as it is."""

from django.db import migrations

DEFAULT_REASON_CODES = (
    ("capacity", "Not enough people or capacity"),
    ("change_induced", "Caused by a change"),
    ("supplier_delay", "Waiting on a supplier"),
    ("customer_waiting", "Waiting on the customer"),
    ("misrouted", "Misrouted or assigned to the wrong team"),
    ("knowledge_gap", "Knowledge or skills gap"),
    ("tooling", "Tooling or monitoring gap"),
    ("major_incident", "Part of a major incident"),
    ("other", "Other (see the root cause)"),
)


def seed(apps, schema_editor):
    ReasonCode = apps.get_model("measurement", "ReasonCode")
    for code, label in DEFAULT_REASON_CODES:
        ReasonCode.objects.get_or_create(code=code, defaults={"label": label})


class Migration(migrations.Migration):
    dependencies = [("measurement", "0011_objective_investigation")]

    # Reversed: the codes stay (investigations may refer to them).
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
