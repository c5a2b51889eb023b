"""The trust dashboard's figures are refreshed for every school each night (and on commit of a change)."""

from django.db import migrations

TASK_NAME = "Refresh the trust dashboard's school figures"


def forward(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(minute="40", hour="2", day_of_week="*", day_of_month="*",
                                                       month_of_year="*", timezone="Europe/London")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={"task": "reports.sweep_school_figures", "crontab": nightly, "enabled": True,
                  "description": "Recounts every school's dashboard figures (term changes, expiries, training "
                                 "falling due), besides the refresh after each change."},
    )


def reverse(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_school_figures_and_trust_thresholds"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forward, reverse)]
