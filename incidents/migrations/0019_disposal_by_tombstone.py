"""Disposal under the retention schedule (safeguarding_portal/retention/disposal.py): the append-only guards of
timeline entries, attachments and a case's reported content let one change through, blanking a row whose
tombstone was written first, with its ids, links and dates unchanged. Every other change is refused as before."""

from django.db import migrations

from safeguarding_portal.audit.append_only import Guard

GUARD = Guard(function="incidents_refuse_change", what="safeguarding records are append-only")
# As 0018 (pupils' reports) left them.
CONTENT_COLUMNS = [
    "school_id", "reference", "year", "number", "submission_token", "reported_by_id", "reported_at", "occurred_at",
    "location", "location_detail", "description", "device", "device_detail", "action_taken",
    "immediate_risk", "others_involved", "route", "subject_staff_id", "source", "raised_by_name", "still_happening",
]
INCIDENT_BLANKED = ["description", "action_taken", "others_involved", "location_detail", "device_detail",
                    "raised_by_name"]
ENTRY_KEPT = ["id", "chain", "seq", "prev_hash", "hash", "school_id", "incident_id", "kind", "author_id",
              "author_name", "at", "corrects_id"]
ATTACHMENT_KEPT = ["id", "incident_id", "content_type", "size", "sha256", "uploaded_by_id", "uploaded_at"]


def forward(apps, schema_editor):
    GUARD.create_disposal_function(schema_editor)
    GUARD.allow_disposal(schema_editor, trigger="incidents_timelineentry_no_update", table="incidents_timelineentry",
                         kept=ENTRY_KEPT, chained=True)
    GUARD.allow_disposal(schema_editor, trigger="incidents_attachment_no_update", table="incidents_attachment",
                         kept=ATTACHMENT_KEPT, chained=False)
    GUARD.allow_disposal(schema_editor, trigger="incidents_incident_content_frozen", table="incidents_incident",
                         columns=CONTENT_COLUMNS, chained=False,
                         kept=[c for c in CONTENT_COLUMNS if c not in INCIDENT_BLANKED],
                         sqlite_message="what was reported cannot be changed")


def reverse(apps, schema_editor):
    tables = ["incidents_timelineentry", "incidents_attachment"]
    GUARD.thaw_rows(schema_editor, tables)
    GUARD.freeze_rows(schema_editor, tables)
    GUARD.freeze_columns(schema_editor, trigger="incidents_incident_content_frozen", table="incidents_incident",
                         columns=CONTENT_COLUMNS, sqlite_message="what was reported cannot be changed", replace=True)
    GUARD.drop_disposal_function(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0018_pupil_reports"), ("retention", "0002_holds_and_disposal")]
    operations = [migrations.RunPython(forward, reverse)]
