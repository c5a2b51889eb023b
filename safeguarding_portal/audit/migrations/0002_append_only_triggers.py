"""The database itself refuses to change audit rows, so the ORM is not the only guard.

UPDATE is refused on every database. DELETE is refused on PostgreSQL; on SQLite (development only) test
teardown empties tables with DELETE, so there the model's delete() is the guard. TRUNCATE, which only a
database owner can run, is not a row event: production should run the app as a role without it.
"""

from django.db import migrations

TABLE = "audit_auditevent"

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit records are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""
PG_REVERSE = f"""
DROP TRIGGER IF EXISTS {TABLE}_no_update ON {TABLE};
DROP TRIGGER IF EXISTS {TABLE}_no_delete ON {TABLE};
"""
SQLITE_FORWARD = f"""
CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, 'audit records are append-only (UPDATE refused)'); END;
"""
SQLITE_REVERSE = f"DROP TRIGGER IF EXISTS {TABLE}_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # params=None: the function body's "%" is PL/pgSQL's placeholder, not one for the driver to fill.
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
