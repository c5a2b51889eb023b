import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from incidents import services
from incidents.models import EntryKind, Incident, TimelineEntry
from safeguarding_portal.audit import chain
from safeguarding_portal.audit.chain import AppendOnlyError

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def test_what_was_reported_cannot_be_changed_or_deleted_through_the_orm(school, staff):
    incident = make_case(school=school, reporter=staff)
    incident.description = "rewritten"
    with pytest.raises(AppendOnlyError):
        incident.save()
    with pytest.raises(AppendOnlyError):
        incident.delete()
    entry = incident.entries.first()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert Incident.objects.get().description != "rewritten"


def test_the_database_refuses_to_rewrite_a_report_or_an_entry(school, staff):
    incident = make_case(school=school, reporter=staff)
    with pytest.raises(DatabaseError), transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(description="rewritten")
    with pytest.raises(AppendOnlyError):
        TimelineEntry.objects.filter(incident=incident).update(text="rewritten")
    # Below the ORM, the database's own trigger refuses too.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE incidents_timelineentry SET text = 'rewritten' WHERE incident_id = %s", [incident.pk])
    assert not TimelineEntry.objects.filter(text="rewritten").exists()


def test_a_correction_is_a_new_entry_pointing_at_the_one_it_corrects(school, staff, dsl):
    incident = make_case(school=school, reporter=staff)
    note = services.case_record(incident=incident, by=dsl, kind=EntryKind.NOTE, text="Mum called on Tuesday")
    correction = services.case_correct(incident=incident, by=dsl, entry=note, value="It was Wednesday")
    note.refresh_from_db()
    assert note.text == "Mum called on Tuesday"
    assert correction.corrects == note and correction.seq > note.seq
    assert chain.verify(TimelineEntry) == []


def test_verify_command_names_the_first_broken_link(school, staff, dsl, capsys):
    incident = make_case(school=school, reporter=staff)
    services.case_record(incident=incident, by=dsl, kind=EntryKind.NOTE, text="First note")
    target = services.case_record(incident=incident, by=dsl, kind=EntryKind.NOTE, text="Second note")
    call_command("verify_chains")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER incidents_timelineentry_no_update")
        else:
            # What an attacker with the owner's rights would do first (DROP works with deferred FK events pending).
            cursor.execute("DROP TRIGGER incidents_timelineentry_no_update ON incidents_timelineentry")
        cursor.execute("UPDATE incidents_timelineentry SET text = %s WHERE id = %s", ["Edited", target.pk])
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("verify_chains")
    assert f"link #{target.seq}" in capsys.readouterr().err
