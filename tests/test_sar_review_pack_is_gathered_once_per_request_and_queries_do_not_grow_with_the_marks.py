"""Gathering a large pack takes about a second, so each request gathers it once: the pack page, a mark (and a mark
of a third party's name in every passage that holds it, made in one request), and the disclosure's build. The
page's and the build's queries do not grow with the number of marks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import services as incident_services
from incidents.models import EntryKind
from sar import pack, services
from sar.models import Disclosure, RedactionMark

from .sar_helpers import THIRD_PARTY, log_request, pupil_with_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def gathers(monkeypatch):
    calls = []
    real = pack.gather

    def counting(**kwargs):
        calls.append(kwargs["request"].pk)
        return real(**kwargs)

    monkeypatch.setattr(pack, "gather", counting)
    return calls


@pytest.fixture
def busy(client, signed_in, school, staff, dsl):
    """A pupil whose case has a dozen notes naming the third party."""
    pupil, case = pupil_with_records(school=school, reporter=staff, dsl=dsl)
    for n in range(10):
        incident_services.case_record(
            incident=case, by=dsl, kind=EntryKind.NOTE, text=f"Note {n}: {THIRD_PARTY} again."
        )
    signed_in(dsl)
    return log_request(client, pupil=pupil), case


def _portal(dsl, school):
    from safeguarding_portal.accounts.context import acting_as

    return acting_as(user=dsl, school=school)


def _note_keys(sar, dsl, school, n):
    held = pack.keys(pack.gather(portal=_portal(dsl, school), request=sar))
    return sorted(k for k in held if k.startswith("incidents.entry:"))[:n]


def _mark(sar, dsl, school, keys):
    for key in keys:
        services.redaction_mark(school=school, sar=sar, by=dsl, target=key, exemption="third_party", reason="Named")


def _page_queries(client, sar) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("sar:pack", args=[sar.pk])).status_code == 200
    return len(queries)


def test_the_pack_page_gathers_once_and_its_queries_do_not_grow_with_the_marks(client, school, dsl, busy, gathers):
    sar, _ = busy
    keys = _note_keys(sar, dsl, school, 12)
    _mark(sar, dsl, school, keys[:1])
    _page_queries(client, sar)  # the first page of a session also loads what later pages find cached
    gathers.clear()
    one = _page_queries(client, sar)
    assert gathers == [sar.pk]
    _mark(sar, dsl, school, keys[1:])
    twelve = _page_queries(client, sar)
    assert RedactionMark.objects.filter(request=sar).count() == 12
    assert twelve == one


def test_a_name_marked_everywhere_is_one_request_and_one_gathering(client, school, dsl, busy, gathers):
    sar, _ = busy
    first = _note_keys(sar, dsl, school, 1)[0]
    gathers.clear()
    response = client.post(
        reverse("sar:mark", args=[sar.pk]),
        {
            "target": first,
            "phrase": THIRD_PARTY,
            "everywhere": "on",
            "exemption": "third_party",
            "reason": "Another child's name",
        },
    )
    assert response.status_code == 302
    assert gathers == [sar.pk]  # one request, one gathering, however many passages hold the name
    marks = RedactionMark.objects.filter(request=sar)
    # The ten notes, the first note and the report's description all name them.
    assert marks.count() == 12 and {m.phrase for m in marks} == {THIRD_PARTY}
    shown, changed = pack.redacted(pack.gather(portal=_portal(dsl, school), request=sar), pack.current_marks(sar))
    assert changed == 12 and all(THIRD_PARTY not in p.text for s in shown for r in s.records for p in r.passages)


def _build_queries(school, sar, dsl, django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=False):
        disclosure = services.disclosure_build(school=school, sar=sar, by=dsl)
    with CaptureQueriesContext(connection) as queries:
        services.disclosure_make(disclosure_id=disclosure.pk)
    Disclosure.objects.filter(pk=disclosure.pk).update(build_state="failed")  # out of the way of the next
    return len(queries)


def test_the_disclosure_build_gathers_once_and_its_queries_do_not_grow_with_the_marks(
    school, dsl, busy, gathers, django_capture_on_commit_callbacks
):
    sar, _ = busy
    keys = _note_keys(sar, dsl, school, 12)
    _mark(sar, dsl, school, keys[:1])
    _build_queries(school, sar, dsl, django_capture_on_commit_callbacks)  # warm: the first also fills caches
    gathers.clear()
    one = _build_queries(school, sar, dsl, django_capture_on_commit_callbacks)
    assert gathers == [sar.pk]
    _mark(sar, dsl, school, keys[1:])
    gathers.clear()
    twelve = _build_queries(school, sar, dsl, django_capture_on_commit_callbacks)
    assert gathers == [sar.pk] and twelve == one
