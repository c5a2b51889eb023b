"""The database refuses to rewrite safeguarding records, so the ORM is not the only guard.

Timeline entries and attachments: no UPDATE anywhere; no DELETE on PostgreSQL (SQLite test teardown
empties tables with DELETE; there the models' delete() is the guard). Incidents: the reported content
columns cannot be updated; the projection columns (status, assignee...) can, by the services.
"""

from django.db import migrations

from safeguarding_portal.audit.append_only import Guard

CONTENT_COLUMNS = [
    "school_id", "reference", "year", "number", "submission_token", "reported_by_id", "reported_at", "occurred_at",
    "location", "location_detail", "category", "description", "device", "device_detail", "action_taken",
    "immediate_risk", "others_involved", "route", "subject_staff_id",
]
FROZEN_TABLES = ["incidents_timelineentry", "incidents_attachment"]
GUARD = Guard(function="incidents_refuse_change", what="safeguarding records are append-only")
INCIDENT = "incidents_incident"


def forward(apps, schema_editor):
    GUARD.create_function(schema_editor)
    GUARD.freeze_rows(schema_editor, FROZEN_TABLES)
    GUARD.freeze_columns(schema_editor, trigger="incidents_incident_content_frozen", table=INCIDENT,
                         columns=CONTENT_COLUMNS, sqlite_message="what was reported cannot be changed")
    GUARD.no_delete(schema_editor, trigger="incidents_incident_no_delete", table=INCIDENT)


def reverse(apps, schema_editor):
    GUARD.thaw_rows(schema_editor, FROZEN_TABLES)
    GUARD.thaw_columns(schema_editor, trigger="incidents_incident_content_frozen", table=INCIDENT)
    GUARD.allow_delete(schema_editor, trigger="incidents_incident_no_delete", table=INCIDENT)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
