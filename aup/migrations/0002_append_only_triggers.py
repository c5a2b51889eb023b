"""The database refuses to rewrite or remove signatures and their events, so the ORM is not the only guard.

No UPDATE anywhere; no DELETE on PostgreSQL (SQLite test teardown empties tables with DELETE; there the
models' delete() is the guard). Published versions: the text, consent items and hash cannot change.
"""

from django.db import migrations

FROZEN_TABLES = ["aup_signature", "aup_signatureevent"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION aup_refuse_change() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'signed agreements are append-only (% on %)', TG_OP, TG_TABLE_NAME; END;
            $$ LANGUAGE plpgsql;""",
            params=None,
        )
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION aup_version_frozen() RETURNS trigger AS $$
            BEGIN
              IF OLD.published_at IS NOT NULL AND (NEW.text IS DISTINCT FROM OLD.text
                 OR NEW.consent_items::text IS DISTINCT FROM OLD.consent_items::text
                 OR NEW.sha256 IS DISTINCT FROM OLD.sha256 OR NEW.published_at IS DISTINCT FROM OLD.published_at) THEN
                RAISE EXCEPTION 'a published agreement version is frozen';
              END IF;
              RETURN NEW;
            END;
            $$ LANGUAGE plpgsql;""",
            params=None,
        )
        for table in FROZEN_TABLES:
            schema_editor.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW "
                                  "EXECUTE FUNCTION aup_refuse_change();")
            schema_editor.execute(f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
                                  "EXECUTE FUNCTION aup_refuse_change();")
        schema_editor.execute("CREATE TRIGGER aup_agreementversion_frozen BEFORE UPDATE ON aup_agreementversion "
                              "FOR EACH ROW EXECUTE FUNCTION aup_version_frozen();")
    elif vendor == "sqlite":
        for table in FROZEN_TABLES:
            schema_editor.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                                  "BEGIN SELECT RAISE(ABORT, 'signed agreements are append-only'); END;")
        schema_editor.execute(
            "CREATE TRIGGER aup_agreementversion_frozen BEFORE UPDATE ON aup_agreementversion "
            "WHEN OLD.published_at IS NOT NULL AND (NEW.text IS NOT OLD.text OR NEW.consent_items IS NOT OLD.consent_items "
            "OR NEW.sha256 IS NOT OLD.sha256) "
            "BEGIN SELECT RAISE(ABORT, 'a published agreement version is frozen'); END;"
        )


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    names = [(t, f"{t}_no_update") for t in FROZEN_TABLES] + [("aup_agreementversion", "aup_agreementversion_frozen")]
    if vendor == "postgresql":
        names += [(t, f"{t}_no_delete") for t in FROZEN_TABLES]
        for table, name in names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
    elif vendor == "sqlite":
        for _, name in names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("aup", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
