"""A trigram index on the pupils' folded names, on PostgreSQL only: the name search's LIKE per typed word
(schools.search.name_filter) is answered from it instead of reading every pupil. SQLite has no such index and
needs none at development sizes; the search is the same query there."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS pupil_search_text_trgm ON schools_pupil USING gin (search_text gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS pupil_search_text_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0004_pupil_system_identities"),
    ]

    operations = [migrations.RunPython(create, drop)]
