"""The database refuses to rewrite or remove device search records and their entries, as for the case
timeline: no UPDATE anywhere; no DELETE on PostgreSQL (SQLite test teardown empties tables with DELETE; there
the models' delete() is the guard). incidents_refuse_change() is migration 0002's."""

from django.db import migrations

from safeguarding_portal.audit.append_only import Guard

FROZEN_TABLES = ["incidents_devicesearch", "incidents_devicesearchentry"]
GUARD = Guard(function="incidents_refuse_change", what="safeguarding records are append-only")


def forward(apps, schema_editor):
    GUARD.freeze_rows(schema_editor, FROZEN_TABLES)


def reverse(apps, schema_editor):
    GUARD.thaw_rows(schema_editor, FROZEN_TABLES)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0010_device_searches")]
    operations = [migrations.RunPython(forward, reverse)]
