"""Each involvement keeps the pupil's year group when the incident happened.

Existing rows are filled from the pupil's year group as the MIS last gave it, moved back a year for every
1 September between the incident and that update (Pupil.year_group_on), the best the data can say.
"""

import datetime

from django.db import migrations, models
from django.utils import timezone

YEARS = ["R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13"]


def _academic_year(day: datetime.date) -> int:
    return day.year if day.month >= 8 else day.year - 1


def backfill(apps, schema_editor):
    IncidentPupil = apps.get_model("incidents", "IncidentPupil")
    rows = IncidentPupil.objects.select_related("incident", "pupil").only(
        "pk", "incident__occurred_at", "pupil__year_group", "pupil__updated_at").iterator(chunk_size=2000)
    batch = []
    for link in rows:
        as_of = timezone.localdate(link.pupil.updated_at) if link.pupil.updated_at else timezone.localdate()
        shift = _academic_year(timezone.localdate(link.incident.occurred_at)) - _academic_year(as_of)
        index = YEARS.index(link.pupil.year_group) + shift if link.pupil.year_group in YEARS else -1
        link.year_group = YEARS[index] if 0 <= index < len(YEARS) else ""
        batch.append(link)
        if len(batch) >= 2000:
            IncidentPupil.objects.bulk_update(batch, ["year_group"])
            batch = []
    if batch:
        IncidentPupil.objects.bulk_update(batch, ["year_group"])


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0005_unacknowledged_queue_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='incidentpupil',
            name='year_group',
            field=models.CharField(blank=True, choices=[('R', 'Reception'), ('1', 'Year 1'), ('2', 'Year 2'), ('3', 'Year 3'), ('4', 'Year 4'), ('5', 'Year 5'), ('6', 'Year 6'), ('7', 'Year 7'), ('8', 'Year 8'), ('9', 'Year 9'), ('10', 'Year 10'), ('11', 'Year 11'), ('12', 'Year 12'), ('13', 'Year 13')], max_length=2),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
