"""The database refuses to rewrite or remove signatures and their events, so the ORM is not the only guard.

No UPDATE anywhere; no DELETE on PostgreSQL (SQLite test teardown empties tables with DELETE; there the
models' delete() is the guard). Published versions: the text, consent items and hash cannot change.
"""

from django.db import migrations

from safeguarding_portal.audit.append_only import Guard

FROZEN_TABLES = ["aup_signature", "aup_signatureevent"]
GUARD = Guard(function="aup_refuse_change", what="signed agreements are append-only")
VERSION = "aup_agreementversion"

# A published version's own rule (its text, consent items and hash are frozen, a draft is not): the one trigger
# the shared guard does not declare.
PG_VERSION_FROZEN = """
CREATE OR REPLACE FUNCTION aup_version_frozen() RETURNS trigger AS $$
BEGIN
  IF OLD.published_at IS NOT NULL AND (NEW.text IS DISTINCT FROM OLD.text
     OR NEW.consent_items::text IS DISTINCT FROM OLD.consent_items::text
     OR NEW.sha256 IS DISTINCT FROM OLD.sha256 OR NEW.published_at IS DISTINCT FROM OLD.published_at) THEN
    RAISE EXCEPTION 'a published agreement version is frozen';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;"""
SQLITE_VERSION_FROZEN = (
    "CREATE TRIGGER aup_agreementversion_frozen BEFORE UPDATE ON aup_agreementversion "
    "WHEN OLD.published_at IS NOT NULL AND (NEW.text IS NOT OLD.text OR NEW.consent_items IS NOT OLD.consent_items "
    "OR NEW.sha256 IS NOT OLD.sha256) "
    "BEGIN SELECT RAISE(ABORT, 'a published agreement version is frozen'); END;"
)


def forward(apps, schema_editor):
    GUARD.create_function(schema_editor)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_VERSION_FROZEN, params=None)
    GUARD.freeze_rows(schema_editor, FROZEN_TABLES)
    if vendor == "postgresql":
        schema_editor.execute("CREATE TRIGGER aup_agreementversion_frozen BEFORE UPDATE ON aup_agreementversion "
                              "FOR EACH ROW EXECUTE FUNCTION aup_version_frozen();")
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_VERSION_FROZEN)


def reverse(apps, schema_editor):
    GUARD.thaw_rows(schema_editor, FROZEN_TABLES)
    GUARD.thaw_columns(schema_editor, trigger="aup_agreementversion_frozen", table=VERSION)


class Migration(migrations.Migration):
    dependencies = [("aup", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
