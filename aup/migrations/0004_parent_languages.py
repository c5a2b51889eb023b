"""Parents in their own language: agreement translations, and the language and hash of the text a signer saw.

SQLite adds the signature's columns by rebuilding the table, which drops its append-only trigger: it is put back
on SQLite afterwards, as in 0003. Translations are frozen in the database too.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from safeguarding_portal.audit.append_only import Guard

GUARD = Guard(function="aup_refuse_change", what="signed agreements are append-only")


def forward(apps, schema_editor):
    GUARD.refreeze_rows_on_sqlite(schema_editor, ["aup_signature"])
    GUARD.freeze_rows(schema_editor, ["aup_agreementtranslation"])


def backward(apps, schema_editor):
    GUARD.thaw_rows(schema_editor, ["aup_agreementtranslation"])


class Migration(migrations.Migration):

    dependencies = [
        ('aup', '0003_paper_agreements'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='invitation',
            name='language',
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.AddField(
            model_name='signature',
            name='text_language',
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.AddField(
            model_name='signature',
            name='text_sha256',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.CreateModel(
            name='AgreementTranslation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(max_length=8)),
                ('title', models.CharField(blank=True, max_length=200)),
                ('text', models.TextField()),
                ('consent_labels', models.JSONField(blank=True, default=dict)),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256 of the text')),
                ('uploaded_at', models.DateTimeField()),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='translations', to='aup.agreementversion')),
            ],
            options={
                'ordering': ['version', 'language', '-uploaded_at', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('sha256', ''), _negated=True), name='agreementtranslation_has_hash'), models.CheckConstraint(condition=models.Q(('language__startswith', 'en'), _negated=True), name='agreementtranslation_not_english'), models.UniqueConstraint(fields=('version', 'language', 'sha256'), name='agreementtranslation_once')],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
