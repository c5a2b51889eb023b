"""The database refuses to rewrite or remove Operation Encompass notifications, their children and entries,
so the ORM is not
the only guard. No UPDATE anywhere; no DELETE on PostgreSQL (SQLite test teardown empties tables with
DELETE; there the models' delete() is the guard)."""

from django.db import migrations

FROZEN_TABLES = ["duty_encompassnotification", "duty_encompasschild", "duty_encompassentry"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # params=None: the % in RAISE are PL/pgSQL's, not placeholders for the driver.
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION duty_refuse_change() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'Operation Encompass records are append-only (% on %)', TG_OP, TG_TABLE_NAME; END;
            $$ LANGUAGE plpgsql;""",
            params=None,
        )
        for table in FROZEN_TABLES:
            schema_editor.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW "
                                  "EXECUTE FUNCTION duty_refuse_change();")
            schema_editor.execute(f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
                                  "EXECUTE FUNCTION duty_refuse_change();")
    elif vendor == "sqlite":
        for table in FROZEN_TABLES:
            schema_editor.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                                  "BEGIN SELECT RAISE(ABORT, 'Operation Encompass records are append-only'); END;")


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in FROZEN_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table};")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS duty_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("duty", "0003_encompassnotification_encompassentry_encompasschild_and_more")]
    operations = [migrations.RunPython(forward, reverse)]
