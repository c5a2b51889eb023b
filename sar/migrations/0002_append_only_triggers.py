"""The database refuses to rewrite or remove redaction marks, so the ORM is not the only guard: what was withheld
from a disclosure, and why, is evidence. No UPDATE anywhere; no DELETE on PostgreSQL (SQLite test teardown empties
tables with DELETE; there the model's delete() is the guard)."""

from django.db import migrations

from safeguarding_portal.audit.append_only import Guard

FROZEN_TABLES = ["sar_redactionmark"]
GUARD = Guard(function="sar_refuse_change", what="Redaction marks are append-only")


def forward(apps, schema_editor):
    GUARD.create_function(schema_editor)
    GUARD.freeze_rows(schema_editor, FROZEN_TABLES)


def reverse(apps, schema_editor):
    GUARD.thaw_rows(schema_editor, FROZEN_TABLES)
    GUARD.drop_function(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("sar", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
