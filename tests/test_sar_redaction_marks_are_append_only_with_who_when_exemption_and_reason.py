"""The DSL marks a passage, a whole record or a phrase for redaction with the exemption and the reason; each mark
keeps who made it and when, and is never changed: withdrawing one is a later mark, and the marks form a hash
chain."""

import pytest
from django.urls import reverse

from safeguarding_portal.audit import chain
from safeguarding_portal.audit.chain import AppendOnlyError
from sar.models import MarkAction, RedactionMark

from .sar_helpers import THIRD_PARTY, log_request, mark, pupil_with_records

pytestmark = pytest.mark.django_db


def _note_key(case):
    note = case.entries.filter(kind="note", text__contains="Quarry").get()
    return f"incidents.entry:{note.pk}"


def test_a_mark_records_the_ground_the_reason_who_and_when(client, signed_in, dsl, staff, school):
    pupil, case = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    signed_in(dsl)
    sar = log_request(client, pupil=pupil)
    response = mark(client, sar, target=_note_key(case), exemption="third_party", reason="Another family's address")
    assert response.status_code == 302
    m = RedactionMark.objects.get()
    assert (m.action, m.exemption, m.reason, m.by, m.target) == (
        MarkAction.REDACT,
        "third_party",
        "Another family's address",
        dsl,
        _note_key(case),
    )
    assert m.at is not None and m.hash
    page = client.get(reverse("sar:pack", args=[sar.pk])).content.decode()
    assert "[redacted: third-party information]" in page and "Another family&#x27;s address" in page


def test_a_mark_needs_a_ground_and_a_reason_and_a_passage_of_the_pack(client, signed_in, dsl, staff, school):
    pupil, case = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    signed_in(dsl)
    sar = log_request(client, pupil=pupil)
    mark(client, sar, target=_note_key(case), exemption="", reason="x")
    mark(client, sar, target=_note_key(case), exemption="crime", reason="")
    mark(client, sar, target="incidents.entry:999999", exemption="crime", reason="Not in the pack")
    response = mark(client, sar, target=_note_key(case), phrase="Nobody Such", reason="A name not there")
    assert not RedactionMark.objects.exists()
    page = client.get(response.url).content.decode()
    assert "is not in that passage" in page


def test_withdrawing_a_mark_is_a_later_mark_and_nothing_is_rewritten(client, signed_in, dsl, staff, school):
    pupil, case = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    signed_in(dsl)
    sar = log_request(client, pupil=pupil)
    mark(client, sar, target=f"incidents.case:{case.pk}/description", phrase=THIRD_PARTY, reason="Another child")
    first = RedactionMark.objects.get()
    response = client.post(reverse("sar:withdraw", args=[sar.pk]), {"mark": first.pk, "reason": "Consent given"})
    assert response.status_code == 302
    withdrawal = RedactionMark.objects.exclude(pk=first.pk).get()
    assert withdrawal.action == MarkAction.WITHDRAW and withdrawal.withdraws == first and withdrawal.by == dsl
    assert withdrawal.prev_hash == first.hash
    assert chain.verify(RedactionMark) == []
    with pytest.raises(AppendOnlyError):
        first.reason = "changed"
        first.save()
    with pytest.raises(AppendOnlyError):
        first.delete()
    page = client.get(reverse("sar:pack", args=[sar.pk])).content.decode()
    assert "Redaction withdrawn" in page  # in the history
