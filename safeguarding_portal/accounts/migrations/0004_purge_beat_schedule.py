"""Expired sessions and kept forms are purged every hour by Celery beat (editable in the admin)."""

from django.db import migrations

TASK_NAME = "Purge expired sessions and kept forms"


def forward(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={"task": "accounts.purge_expired", "interval": hourly, "enabled": True,
                  "description": "Deletes expired sessions and forms kept after a session expired."},
    )


def reverse(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_kept_forms"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forward, reverse)]
