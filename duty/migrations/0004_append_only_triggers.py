"""The database refuses to rewrite or remove Operation Encompass notifications, their children and entries,
so the ORM is not the only guard. No UPDATE anywhere; no DELETE on PostgreSQL (SQLite test teardown empties tables with
DELETE; there the models' delete() is the guard)."""

from django.db import migrations

from safeguarding_portal.audit.append_only import Guard

FROZEN_TABLES = ["duty_encompassnotification", "duty_encompasschild", "duty_encompassentry"]
GUARD = Guard(function="duty_refuse_change", what="Operation Encompass records are append-only")


def forward(apps, schema_editor):
    GUARD.create_function(schema_editor)
    GUARD.freeze_rows(schema_editor, FROZEN_TABLES)


def reverse(apps, schema_editor):
    GUARD.thaw_rows(schema_editor, FROZEN_TABLES)
    GUARD.drop_function(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("duty", "0003_encompassnotification_encompassentry_encompasschild_and_more")]
    operations = [migrations.RunPython(forward, reverse)]
