"""Parents' agreements signed on paper, with their scan.

SQLite adds a column with a default, and a constraint, by rebuilding the table, which drops its triggers: the
append-only trigger of 0002 is put back on SQLite afterwards (PostgreSQL alters the table in place and keeps it).
"""

import aup.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from safeguarding_portal.audit.append_only import Guard


def restore_sqlite_trigger(apps, schema_editor):
    Guard(function="aup_refuse_change", what="signed agreements are append-only").refreeze_rows_on_sqlite(
        schema_editor, ["aup_signature"])


class Migration(migrations.Migration):

    dependencies = [
        ('aup', '0002_append_only_triggers'),
        ('schools', '0002_importrun'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='signature',
            name='method',
            field=models.CharField(choices=[('online', 'Signed online'), ('paper', 'Signed on paper')], default='online', max_length=8),
        ),
        migrations.CreateModel(
            name='PaperScan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=200, upload_to=aup.models.paper_scan_path)),
                ('original_name', models.CharField(max_length=200)),
                ('content_type', models.CharField(max_length=40)),
                ('size', models.PositiveIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('uploaded_at', models.DateTimeField()),
                ('school', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='schools.school')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.AddField(
            model_name='signature',
            name='paper_scan',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='signatures', to='aup.paperscan'),
        ),
        migrations.AddConstraint(
            model_name='signature',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('method', 'paper'), ('drawn_signature__startswith', 'paper-scan:sha256:'), ('paper_scan__isnull', False), ('witness__isnull', False)), models.Q(('method', 'online'), models.Q(('drawn_signature__startswith', 'paper-scan:sha256:'), _negated=True)), _connector='OR'), name='signature_paper_names_its_scan'),
        ),
        migrations.RunPython(restore_sqlite_trigger, migrations.RunPython.noop),
    ]
