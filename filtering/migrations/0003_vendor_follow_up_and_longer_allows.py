"""Follow-ups of unapproved vendor changes (append-only, like the log), and the reason an allow lasts longer
than its requester asked.

Allows approved before this release for longer than their "needed until" have no reason recorded; the
constraint would refuse them, so they are given a line saying so (their approval events are unchanged)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F

from safeguarding_portal.audit.append_only import Guard

BACKFILL = "Approved before the portal asked why an allow lasts longer than the date asked for."
FROZEN = "filtering_vendorfollowup"
GUARD = Guard(function="filtering_refuse_change", what="filtering records are append-only")


def backfill(apps, schema_editor):
    ChangeRequest = apps.get_model("filtering", "ChangeRequest")
    ChangeRequest.objects.filter(action="allow", expires_on__gt=F("needed_until"), longer_reason="").update(
        longer_reason=BACKFILL)


def freeze(apps, schema_editor):
    # The same database guard as the log's events (0002): no UPDATE, and no DELETE on PostgreSQL.
    GUARD.freeze_rows(schema_editor, [FROZEN])


def unfreeze(apps, schema_editor):
    GUARD.thaw_rows(schema_editor, [FROZEN])


class Migration(migrations.Migration):

    dependencies = [
        ('filtering', '0002_append_only_triggers'),
        ('schools', '0002_importrun'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='VendorFollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('retrospective', 'Retrospective request raised'), ('incident', 'Concern opened'), ('explained', 'Marked as explained')], max_length=14)),
                ('incident_reference', models.CharField(blank=True, max_length=24)),
                ('reason', models.TextField(blank=True)),
                ('at', models.DateTimeField()),
            ],
            options={
                'ordering': ['-at'],
            },
        ),
        migrations.AddField(
            model_name='changerequest',
            name='longer_reason',
            field=models.TextField(blank=True, verbose_name='why it lasts beyond the date asked for'),
        ),
        migrations.AlterField(
            model_name='changerequest',
            name='source',
            field=models.CharField(choices=[('request', 'Change request'), ('breach', 'Report of a site that got through'), ('overblock', 'Report of a block that stops teaching'), ('vendor_log', "Raised afterwards for a change found in the filter's own log")], default='request', max_length=10),
        ),
        migrations.AlterField(
            model_name='filterevent',
            name='kind',
            field=models.CharField(choices=[('requested', 'Requested'), ('refused', 'Refused: protected list'), ('assessed', 'Risk assessed'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('applied', 'Applied'), ('reverted', 'Reverted'), ('overdue', 'Passed its expiry'), ('reported', 'Unsuitable site reported'), ('responsibility', 'Responsibility recorded'), ('check', 'Check recorded'), ('review', 'Review recorded'), ('vendor_import', 'Vendor log imported'), ('vendor_follow_up', 'Unapproved vendor change followed up')], max_length=16),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='changerequest',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('action', 'allow'), _negated=True), ('expires_on__isnull', True), ('needed_until__isnull', True), ('expires_on__lte', models.F('needed_until')), models.Q(('longer_reason', ''), _negated=True), _connector='OR'), name='filterchange_allow_longer_than_asked_says_why'),
        ),
        migrations.AddField(
            model_name='vendorfollowup',
            name='by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='vendorfollowup',
            name='change',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='vendor_follow_ups', to='filtering.changerequest'),
        ),
        migrations.AddField(
            model_name='vendorfollowup',
            name='entry',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='follow_up', to='filtering.vendorentry'),
        ),
        migrations.AddField(
            model_name='vendorfollowup',
            name='school',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='schools.school'),
        ),
        migrations.AddConstraint(
            model_name='vendorfollowup',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'retrospective'), ('change__isnull', False)), models.Q(('kind', 'incident'), models.Q(('incident_reference', ''), _negated=True)), models.Q(('kind', 'explained'), models.Q(('reason', ''), _negated=True)), _connector='OR'), name='vendorfollowup_says_what_was_done'),
        ),
        migrations.RunPython(freeze, unfreeze),
    ]
