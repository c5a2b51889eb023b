"""Notifications, their children and entries are append-only and hash-chained per school like case
timelines: no edit or delete through the ORM or the database, and verify_chains names a broken link."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from duty.models import EncompassEntry, EncompassNotification
from safeguarding_portal.audit import chain
from safeguarding_portal.audit.chain import AppendOnlyError

from . import clock
from .factories import PupilFactory
from .factories_duty import notification

pytestmark = [pytest.mark.django_db, clock.frozen("2026-11-23 10:00")]


def test_records_cannot_be_changed_or_deleted_through_the_orm(school, dsl):
    n = notification(school, by=dsl, pupils=[PupilFactory(school=school)])
    n.police_reference = "changed"
    with pytest.raises(AppendOnlyError):
        n.save()
    with pytest.raises(AppendOnlyError):
        EncompassNotification.objects.filter(pk=n.pk).update(police_reference="changed")
    with pytest.raises(AppendOnlyError):
        EncompassEntry.objects.filter(notification=n).delete()


def test_the_database_refuses_an_update_and_the_chains_verify(school, dsl):
    n = notification(school, by=dsl, pupils=[PupilFactory(school=school)])
    # In a savepoint: on PostgreSQL the refused statement aborts the transaction around it.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE duty_encompassnotification SET police_reference = 'x' WHERE id = %s", [n.pk])
    if connection.vendor == "postgresql":  # SQLite's test teardown deletes rows, so it has no DELETE trigger
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM duty_encompassentry WHERE notification_id = %s", [n.pk])
    for model in (EncompassNotification, EncompassEntry):
        assert chain.verify(model) == []
    call_command("verify_chains")
