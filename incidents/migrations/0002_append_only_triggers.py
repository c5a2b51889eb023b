"""The database refuses to rewrite safeguarding records, so the ORM is not the only guard.

Timeline entries and attachments: no UPDATE anywhere; no DELETE on PostgreSQL (SQLite test teardown
empties tables with DELETE; there the models' delete() is the guard). Incidents: the reported content
columns cannot be updated; the projection columns (status, assignee...) can, by the services.
"""

from django.db import migrations

CONTENT_COLUMNS = [
    "school_id", "reference", "year", "number", "submission_token", "reported_by_id", "reported_at", "occurred_at",
    "location", "location_detail", "category", "description", "device", "device_detail", "action_taken",
    "immediate_risk", "others_involved", "route", "subject_staff_id",
]
FROZEN_TABLES = ["incidents_timelineentry", "incidents_attachment"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    columns = ", ".join(CONTENT_COLUMNS)
    if vendor == "postgresql":
        # params=None: the %s in RAISE are PL/pgSQL's, not placeholders for the driver.
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION incidents_refuse_change() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'safeguarding records are append-only (% on %)', TG_OP, TG_TABLE_NAME; END;
            $$ LANGUAGE plpgsql;""",
            params=None,
        )
        for table in FROZEN_TABLES:
            schema_editor.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW "
                                  "EXECUTE FUNCTION incidents_refuse_change();")
            schema_editor.execute(f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
                                  "EXECUTE FUNCTION incidents_refuse_change();")
        schema_editor.execute(f"CREATE TRIGGER incidents_incident_content_frozen BEFORE UPDATE OF {columns} "
                              "ON incidents_incident FOR EACH ROW EXECUTE FUNCTION incidents_refuse_change();")
        schema_editor.execute("CREATE TRIGGER incidents_incident_no_delete BEFORE DELETE ON incidents_incident "
                              "FOR EACH ROW EXECUTE FUNCTION incidents_refuse_change();")
    elif vendor == "sqlite":
        for table in FROZEN_TABLES:
            schema_editor.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                                  f"BEGIN SELECT RAISE(ABORT, 'safeguarding records are append-only'); END;")
        schema_editor.execute(f"CREATE TRIGGER incidents_incident_content_frozen BEFORE UPDATE OF {columns} "
                              "ON incidents_incident BEGIN SELECT RAISE(ABORT, 'what was reported cannot be changed'); END;")


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    names = [(t, f"{t}_no_update") for t in FROZEN_TABLES] + [("incidents_incident", "incidents_incident_content_frozen")]
    if vendor == "postgresql":
        names += [(t, f"{t}_no_delete") for t in FROZEN_TABLES] + [("incidents_incident", "incidents_incident_no_delete")]
        for table, name in names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
    elif vendor == "sqlite":
        for _, name in names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
