"""The database itself refuses to change audit rows, so the ORM is not the only guard.

UPDATE is refused on every database. DELETE is refused on PostgreSQL; on SQLite (development only) test
teardown empties tables with DELETE, so there the model's delete() is the guard. TRUNCATE, which only a
database owner can run, is not a row event: production should run the app as a role without it.
"""

from django.db import migrations

from safeguarding_portal.audit.append_only import Guard

TABLE = "audit_auditevent"
GUARD = Guard(function="audit_refuse_change", what="audit records are append-only",
              raise_args="'audit records are append-only (% refused)', TG_OP",
              sqlite_message="audit records are append-only (UPDATE refused)")


def forward(apps, schema_editor):
    GUARD.create_function(schema_editor)
    GUARD.freeze_rows(schema_editor, [TABLE])


def reverse(apps, schema_editor):
    GUARD.thaw_rows(schema_editor, [TABLE])


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
