"""The database refuses to rewrite or remove device search records and their entries, as for the case
timeline: no UPDATE anywhere; no DELETE on PostgreSQL (SQLite test teardown empties tables with DELETE; there
the models' delete() is the guard). incidents_refuse_change() is migration 0002's."""

from django.db import migrations

FROZEN_TABLES = ["incidents_devicesearch", "incidents_devicesearchentry"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in FROZEN_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW "
                                  "EXECUTE FUNCTION incidents_refuse_change();")
            schema_editor.execute(f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
                                  "EXECUTE FUNCTION incidents_refuse_change();")
        elif vendor == "sqlite":
            schema_editor.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                                  "BEGIN SELECT RAISE(ABORT, 'safeguarding records are append-only'); END;")


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in FROZEN_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table};")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0010_device_searches")]
    operations = [migrations.RunPython(forward, reverse)]
