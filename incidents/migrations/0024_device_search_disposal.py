"""Disposal of a case's device searches under the retention schedule (incidents/disposal.py): a search linked to a
disposed case is blanked with its entries, each with its tombstone first. The search no longer names the pupil
(``pupil`` may now be empty, on a disposed search only: the service always sets it), and the guards of both tables
let that one change through, with ids, chain links, people and dates unchanged. Every other change is refused as
before (0011)."""

import django.db.models.deletion
from django.db import migrations, models

from safeguarding_portal.audit.append_only import Guard

GUARD = Guard(function="incidents_refuse_change", what="safeguarding records are append-only")
SEARCH_KEPT = ["id", "chain", "seq", "prev_hash", "hash", "school_id", "incident_id", "searched_at",
               "authorised_by_id", "authority", "searched_by_id", "witness_id", "grounds", "child_at_risk", "deleted",
               "parents_informed", "outcome", "recorded_by_id", "recorded_at"]
ENTRY_KEPT = ["id", "chain", "seq", "prev_hash", "hash", "school_id", "search_id", "kind", "outcome", "author_id",
              "at"]


def forward(apps, schema_editor):
    # SQLite rebuilt incidents_devicesearch for the nullable column (dropping its trigger): allow_disposal puts
    # the UPDATE guard back, in its disposal form.
    GUARD.allow_disposal(schema_editor, trigger="incidents_devicesearch_no_update", table="incidents_devicesearch",
                         kept=SEARCH_KEPT, chained=True)
    GUARD.allow_disposal(schema_editor, trigger="incidents_devicesearchentry_no_update",
                         table="incidents_devicesearchentry", kept=ENTRY_KEPT, chained=True)


def reverse(apps, schema_editor):
    tables = ["incidents_devicesearch", "incidents_devicesearchentry"]
    GUARD.thaw_rows(schema_editor, tables)
    GUARD.freeze_rows(schema_editor, tables)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0023_cp_file_built_in_the_background"), ("retention", "0002_holds_and_disposal")]
    operations = [
        migrations.AlterField(
            model_name="devicesearch",
            name="pupil",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="device_searches",
                to="schools.pupil",
            ),
        ),
        migrations.RunPython(forward, reverse),
    ]
