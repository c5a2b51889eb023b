from django.db import migrations

TASK_NAME = "Page again about critical monitoring alerts nobody has picked up"


def forward(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_two_minutes, _ = IntervalSchedule.objects.get_or_create(every=2, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={"task": "monitoring.resend_sweep", "interval": every_two_minutes, "enabled": True,
                  "description": "Critical monitoring alerts not picked up after MONITORING_PICKUP_MINUTES go "
                                 "again, once, to the DSL team and the head."},
    )


def reverse(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_append_only_triggers"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(forward, reverse)]
