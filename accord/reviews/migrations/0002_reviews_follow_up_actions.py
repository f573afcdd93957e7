"""Existing breach follow-ups (escalation records' ``follow_up`` JSON, status "open") become
actions, once each (keyed by the escalation), as the worker step does for new ones: owner the
agreement's owner, else the service owner; due ACCORD_ACTION_DUE_DAYS after the migration."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def convert(apps, schema_editor):
    from accord.reviews.conf import setting

    Escalation = apps.get_model("escalation", "Escalation")
    Action = apps.get_model("reviews", "Action")
    Agreement = apps.get_model("agreements", "Agreement")
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    now = timezone.now()  # the edge: a migration runs once, now
    due = now.date() + timedelta(days=setting("ACCORD_ACTION_DUE_DAYS"))
    action_type, _ = ContentType.objects.get_or_create(app_label="reviews", model="action")
    for escalation in Escalation.objects.filter(follow_up__status="open").iterator():
        follow_up = dict(escalation.follow_up or {})
        key = f"follow-up:{escalation.pk}"
        action = Action.objects.filter(auto_key=key).first()
        if action is None:
            clock = escalation.clock
            agreement = clock.agreement if clock is not None else Agreement.objects.filter(
                pk=follow_up.get("agreement_id")).first()
            service = clock.ticket.service if clock is not None else None
            owner = None
            if agreement is not None and agreement.owner_id:
                owner = agreement.owner
            elif service is not None and service.owner_id:
                owner = service.owner
            title = f"Follow up the breach of {escalation.ticket_ref or 'a ticket'}"[:200]
            action = Action.objects.create(
                title=title, description=escalation.subject, owner=owner, due=due,
                status="open", source="breach", agreement=agreement, service=service,
                clock=clock, escalation=escalation, auto_key=key, created_at=now)
            AuditEntry.objects.create(
                at=now, actor="system", action="create", content_type=action_type,
                object_id=str(action.pk), object_repr=f"action #{action.pk} {title}"[:200],
                changes={}, message="action raised from an existing breach follow-up")
        follow_up.update(status="action", action_id=action.pk)
        Escalation.objects.filter(pk=escalation.pk).update(follow_up=follow_up)


class Migration(migrations.Migration):

    dependencies = [
        ("reviews", "0001_reviews_actions"),
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
