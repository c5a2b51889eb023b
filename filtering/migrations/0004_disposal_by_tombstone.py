"""Disposal under the retention schedule (safeguarding_portal/retention/disposal.py, filtering/disposal.py): the
append-only guards of the log's events and of risk assessments let one change through, blanking the free text of
a row whose tombstone was written first, with everything else unchanged. Every other change is refused as before."""

from django.db import migrations

from safeguarding_portal.audit.append_only import Guard

GUARD = Guard(function="filtering_refuse_change", what="filtering records are append-only")
# Only an event's details (their free text) are blanked: the decision skeleton stays.
EVENT_KEPT = ["id", "chain", "seq", "prev_hash", "hash", "school_id", "change_id", "change_reference", "kind",
              "actor_id", "actor_name", "at", "summary"]
ASSESSMENT_KEPT = ["id", "change_id", "view", "assessed_by_id", "assessed_at", "rating"]
TABLES = ["filtering_filterevent", "filtering_riskassessment"]


def forward(apps, schema_editor):
    GUARD.create_disposal_function(schema_editor)
    GUARD.allow_disposal(schema_editor, trigger="filtering_filterevent_no_update", table="filtering_filterevent",
                         kept=EVENT_KEPT, chained=True)
    GUARD.allow_disposal(schema_editor, trigger="filtering_riskassessment_no_update",
                         table="filtering_riskassessment", kept=ASSESSMENT_KEPT, chained=False)


def reverse(apps, schema_editor):
    GUARD.thaw_rows(schema_editor, TABLES)
    GUARD.freeze_rows(schema_editor, TABLES)
    GUARD.drop_disposal_function(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("filtering", "0003_vendor_follow_up_and_longer_allows"), ("retention", "0002_holds_and_disposal")]
    operations = [migrations.RunPython(forward, reverse)]
