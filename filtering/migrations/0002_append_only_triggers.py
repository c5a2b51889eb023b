"""The database refuses to rewrite or remove filtering log events and risk assessments, so the ORM is not
the only guard. No UPDATE anywhere; no DELETE on PostgreSQL (SQLite test teardown empties tables with
DELETE; there the models' delete() is the guard)."""

from django.db import migrations

from safeguarding_portal.audit.append_only import Guard

FROZEN_TABLES = ["filtering_filterevent", "filtering_riskassessment"]
GUARD = Guard(function="filtering_refuse_change", what="filtering records are append-only")


def forward(apps, schema_editor):
    GUARD.create_function(schema_editor)
    GUARD.freeze_rows(schema_editor, FROZEN_TABLES)


def reverse(apps, schema_editor):
    GUARD.thaw_rows(schema_editor, FROZEN_TABLES)
    GUARD.drop_function(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("filtering", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
