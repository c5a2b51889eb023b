"""Disposal under the retention schedule (safeguarding_portal/retention/disposal.py, aup/disposal.py): the
append-only guards of signatures and their events let one change through, blanking a row whose tombstone was
written first, with its ids, links and dates unchanged. Every other change is refused as before."""

from django.db import migrations

from safeguarding_portal.audit.append_only import Guard

GUARD = Guard(function="aup_refuse_change", what="signed agreements are append-only")
# As 0004 (parents' languages) left them: everything but the signer's name and organisation, the address and
# browser, the drawn signature and the consents.
SIGNATURE_KEPT = ["id", "chain", "seq", "prev_hash", "hash", "school_id", "version_id", "audience", "version_sha256",
                  "request_id", "pupil_id", "guardian_id", "user_id", "witness_id", "signed_at", "agreed_on",
                  "verification_code", "submission_token", "method", "paper_scan_id", "text_language",
                  "text_sha256"]
# Everything but the actor and the details.
EVENT_KEPT = ["id", "chain", "seq", "prev_hash", "hash", "school_id", "kind", "at", "campaign_id", "invitation_id",
              "request_id", "signature_id", "pupil_id"]
TABLES = ["aup_signature", "aup_signatureevent"]


def forward(apps, schema_editor):
    GUARD.create_disposal_function(schema_editor)
    GUARD.allow_disposal(schema_editor, trigger="aup_signature_no_update", table="aup_signature",
                         kept=SIGNATURE_KEPT, chained=True)
    GUARD.allow_disposal(schema_editor, trigger="aup_signatureevent_no_update", table="aup_signatureevent",
                         kept=EVENT_KEPT, chained=True)


def reverse(apps, schema_editor):
    GUARD.thaw_rows(schema_editor, TABLES)
    GUARD.freeze_rows(schema_editor, TABLES)
    GUARD.drop_disposal_function(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("aup", "0005_certificates_when_first_needed_and_openings_unlocked"), ("retention", "0002_holds_and_disposal")]
    operations = [migrations.RunPython(forward, reverse)]
