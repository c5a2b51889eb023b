"""Disposal of old audit events under the retention schedule (safeguarding_portal/audit/disposal.py): the guard of
the audit log lets one change through, blanking an event's personal detail once its tombstone was written first,
with its links, time, actor, school, action and object type unchanged. Every other change is refused as before
(0002)."""

from django.db import migrations

from safeguarding_portal.audit.append_only import Guard

TABLE = "audit_auditevent"
GUARD = Guard(function="audit_refuse_change", what="audit records are append-only",
              raise_args="'audit records are append-only (% refused)', TG_OP",
              sqlite_message="audit records are append-only (UPDATE refused)")
KEPT = ["id", "chain", "seq", "prev_hash", "hash", "at", "actor_id", "actor_email", "school_id", "action",
        "object_type"]


def forward(apps, schema_editor):
    GUARD.create_disposal_function(schema_editor)
    GUARD.allow_disposal(schema_editor, trigger=f"{TABLE}_no_update", table=TABLE, kept=KEPT, chained=True)


def reverse(apps, schema_editor):
    GUARD.thaw_rows(schema_editor, [TABLE])
    GUARD.freeze_rows(schema_editor, [TABLE])
    GUARD.drop_disposal_function(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_pupil_reports"), ("retention", "0002_holds_and_disposal")]
    operations = [migrations.RunPython(forward, reverse)]
