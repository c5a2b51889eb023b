import pytest
from django.urls import reverse

from incidents import services

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def _count(client, queue: str) -> int:
    page = client.get(reverse("incidents:dashboard")).content.decode()
    marker = f'data-count="{queue}">'
    return int(page.split(marker, 1)[1].split("<", 1)[0])


def test_counts_change_as_soon_as_a_case_changes(
    client, signed_in, school, staff, dsl, django_capture_on_commit_callbacks
):
    signed_in(dsl)
    with django_capture_on_commit_callbacks(execute=True):
        incident = make_case(school=school, reporter=staff)
    assert _count(client, "unacknowledged") == 1
    assert _count(client, "unacknowledged") == 1  # served from the cache the second time

    with django_capture_on_commit_callbacks(execute=True):
        services.case_acknowledge(incident=incident, by=dsl)
    assert _count(client, "unacknowledged") == 0
    with django_capture_on_commit_callbacks(execute=True):
        make_case(school=school, reporter=staff)
    assert _count(client, "unacknowledged") == 1


def test_another_schools_changes_do_not_touch_this_schools_figures(
    client, signed_in, school, other_school, staff, dsl, outsider, django_capture_on_commit_callbacks
):
    signed_in(dsl)
    with django_capture_on_commit_callbacks(execute=True):
        make_case(school=school, reporter=staff)
        make_case(school=other_school, reporter=outsider)
    assert _count(client, "unacknowledged") == 1


def test_a_change_made_while_the_cache_could_not_be_written_shows_once_it_is_back(
    client, signed_in, school, staff, dsl, monkeypatch, django_capture_on_commit_callbacks
):
    """Redis went away during the change (every write to it failed) and came back: the figures it still holds
    from before must not be served."""
    from django.core.cache import cache

    signed_in(dsl)
    assert _count(client, "unacknowledged") == 0  # cached now

    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis is down")

    with monkeypatch.context() as outage:
        for name in ("set", "add", "incr", "delete", "get_or_set"):
            outage.setattr(cache, name, unreachable)
        with django_capture_on_commit_callbacks(execute=True):
            make_case(school=school, reporter=staff)

    assert _count(client, "unacknowledged") == 1
