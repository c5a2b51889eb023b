"""Disposal under the retention schedule (monitoring/disposal.py): the append-only guards of alerts' reported
content, their events and the forwarded emails they came in let one change through, blanking a row whose
tombstone was written first, with its ids, links, vendor, rule and dates unchanged. Every other change is refused
as before (0002)."""

from django.db import migrations

from safeguarding_portal.audit.append_only import Guard

GUARD = Guard(function="monitoring_refuse_change", what="monitoring records are append-only")
# As 0002 froze them (monitoring.models.CONTENT_COLUMNS).
CONTENT_COLUMNS = [
    "school_id", "vendor", "channel", "external_id", "rule", "vendor_severity", "activity_at", "received_at",
    "device", "username", "user_email", "captured_text", "screenshot", "screenshot_sha256", "imagery_withheld",
    "message_id", "import_run_id", "reported_severity",
]
ALERT_BLANKED = ["device", "username", "user_email", "captured_text", "screenshot"]
EVENT_KEPT = ["id", "chain", "seq", "prev_hash", "hash", "school_id", "alert_id", "kind", "author_id", "author_name",
              "at"]
MESSAGE_KEPT = ["id", "school_id", "received_at", "mail_from", "rcpt_to", "vendor", "sha256", "peer", "alerts_found"]
SQLITE_ALERT = "what the monitoring product reported cannot be changed"


def forward(apps, schema_editor):
    GUARD.create_disposal_function(schema_editor)
    GUARD.allow_disposal(schema_editor, trigger="monitoring_alert_content_frozen", table="monitoring_monitoringalert",
                         columns=CONTENT_COLUMNS, chained=False,
                         kept=[c for c in CONTENT_COLUMNS if c not in ALERT_BLANKED], sqlite_message=SQLITE_ALERT)
    GUARD.allow_disposal(schema_editor, trigger="monitoring_alertevent_no_update", table="monitoring_alertevent",
                         kept=EVENT_KEPT, chained=True)
    GUARD.allow_disposal(schema_editor, trigger="monitoring_inboundmessage_no_update",
                         table="monitoring_inboundmessage", kept=MESSAGE_KEPT, chained=False)


def reverse(apps, schema_editor):
    tables = ["monitoring_alertevent", "monitoring_inboundmessage"]
    GUARD.thaw_rows(schema_editor, tables)
    GUARD.freeze_rows(schema_editor, tables)
    GUARD.freeze_columns(schema_editor, trigger="monitoring_alert_content_frozen", table="monitoring_monitoringalert",
                         columns=CONTENT_COLUMNS, sqlite_message=SQLITE_ALERT, replace=True)
    GUARD.drop_disposal_function(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0007_page_to_the_rest_of_the_team"), ("retention", "0002_holds_and_disposal")]
    operations = [migrations.RunPython(forward, reverse)]
