"""The database refuses to rewrite monitoring records, so the ORM is not the only guard.

Alert events and received messages: no UPDATE anywhere; no DELETE on PostgreSQL (SQLite test teardown empties
tables with DELETE; there the models' delete() is the guard). Alerts: what arrived cannot be updated; the
projection columns (state, pupil, times...) can, by the services. Alerts are never deleted on PostgreSQL.
"""

from django.db import migrations

from safeguarding_portal.audit.append_only import Guard

# As of this migration (monitoring.models.CONTENT_COLUMNS): frozen here so a later change to the list is a new
# migration, not a silent change to this one.
CONTENT_COLUMNS = (
    "school_id", "vendor", "channel", "external_id", "rule", "vendor_severity", "activity_at", "received_at",
    "device", "username", "user_email", "captured_text", "screenshot", "screenshot_sha256", "imagery_withheld",
    "message_id", "import_run_id", "reported_severity",
)

FROZEN_TABLES = ["monitoring_alertevent", "monitoring_inboundmessage"]
GUARD = Guard(function="monitoring_refuse_change", what="monitoring records are append-only")
ALERT = "monitoring_monitoringalert"


def forward(apps, schema_editor):
    GUARD.create_function(schema_editor)
    GUARD.freeze_rows(schema_editor, FROZEN_TABLES)
    GUARD.freeze_columns(schema_editor, trigger="monitoring_alert_content_frozen", table=ALERT,
                         columns=CONTENT_COLUMNS, sqlite_message="what the monitoring product reported cannot be changed")
    GUARD.no_delete(schema_editor, trigger="monitoring_alert_no_delete", table=ALERT)


def reverse(apps, schema_editor):
    GUARD.thaw_rows(schema_editor, FROZEN_TABLES)
    GUARD.thaw_columns(schema_editor, trigger="monitoring_alert_content_frozen", table=ALERT)
    GUARD.allow_delete(schema_editor, trigger="monitoring_alert_no_delete", table=ALERT)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
