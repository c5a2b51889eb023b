"""The database refuses to rewrite monitoring records, so the ORM is not the only guard.

Alert events and received messages: no UPDATE anywhere; no DELETE on PostgreSQL (SQLite test teardown empties
tables with DELETE; there the models' delete() is the guard). Alerts: what arrived cannot be updated; the
projection columns (state, pupil, times...) can, by the services. Alerts are never deleted on PostgreSQL.
"""

from django.db import migrations

# As of this migration (monitoring.models.CONTENT_COLUMNS): frozen here so a later change to the list is a new
# migration, not a silent change to this one.
CONTENT_COLUMNS = (
    "school_id", "vendor", "channel", "external_id", "rule", "vendor_severity", "activity_at", "received_at",
    "device", "username", "user_email", "captured_text", "screenshot", "screenshot_sha256", "imagery_withheld",
    "message_id", "import_run_id", "reported_severity",
)

FROZEN_TABLES = ["monitoring_alertevent", "monitoring_inboundmessage"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    columns = ", ".join(CONTENT_COLUMNS)
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION monitoring_refuse_change() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'monitoring records are append-only (% on %)', TG_OP, TG_TABLE_NAME; END;
            $$ LANGUAGE plpgsql;""",
            params=None,
        )
        for table in FROZEN_TABLES:
            schema_editor.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW "
                                  "EXECUTE FUNCTION monitoring_refuse_change();")
            schema_editor.execute(f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
                                  "EXECUTE FUNCTION monitoring_refuse_change();")
        schema_editor.execute(f"CREATE TRIGGER monitoring_alert_content_frozen BEFORE UPDATE OF {columns} "
                              "ON monitoring_monitoringalert FOR EACH ROW EXECUTE FUNCTION monitoring_refuse_change();")
        schema_editor.execute("CREATE TRIGGER monitoring_alert_no_delete BEFORE DELETE ON monitoring_monitoringalert "
                              "FOR EACH ROW EXECUTE FUNCTION monitoring_refuse_change();")
    elif vendor == "sqlite":
        for table in FROZEN_TABLES:
            schema_editor.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                                  "BEGIN SELECT RAISE(ABORT, 'monitoring records are append-only'); END;")
        schema_editor.execute(f"CREATE TRIGGER monitoring_alert_content_frozen BEFORE UPDATE OF {columns} "
                              "ON monitoring_monitoringalert "
                              "BEGIN SELECT RAISE(ABORT, 'what the monitoring product reported cannot be changed'); END;")


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    names = [(t, f"{t}_no_update") for t in FROZEN_TABLES] + [
        ("monitoring_monitoringalert", "monitoring_alert_content_frozen")]
    if vendor == "postgresql":
        names += [(t, f"{t}_no_delete") for t in FROZEN_TABLES] + [
            ("monitoring_monitoringalert", "monitoring_alert_no_delete")]
        for table, name in names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
    elif vendor == "sqlite":
        for _, name in names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
