"""At a large school the name search is fast on PostgreSQL: each typed word is a LIKE on the pupils' folded
names (schools.search), which a trigram index (pg_trgm, GIN) answers without reading every pupil. SQLite, for
development and the quick tests, reads the school's pupils and finds the same names (the search tests)."""

import pytest
from django.db import connection

from safeguarding_portal.schools import search
from safeguarding_portal.schools.models import Pupil

from .factories import PupilFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's"),
]


def test_the_pupils_names_have_a_trigram_index_that_the_name_search_uses(school):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname = %s",
            [Pupil._meta.db_table, "pupil_search_text_trgm"],
        )
        (definition,) = cursor.fetchone()
    assert "gin" in definition.lower() and "gin_trgm_ops" in definition

    PupilFactory(school=school, legal_forename="Ivy", surname="Taylor")
    queryset = Pupil.objects.filter(search.name_filter("Taylor Ivy"))
    with connection.cursor() as cursor:
        # A test table is too small for the planner to choose an index by itself: show that it can.
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "pupil_search_text_trgm" in plan, plan
    assert [p.surname for p in queryset] == ["Taylor"]
