"""Curriculum pages write through ``curriculum.services`` only: each write one transaction, checked against the
school it is for, taking the user and the school (never the request or the portal)."""

import ast
import inspect
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from curriculum import services, views
from curriculum.forms import EventForm, RequirementForm, UnitForm
from curriculum.models import CategoryStrand, CurriculumSettings, Event, TrainingRequirement, Unit
from safeguarding_portal.schools import services as school_services
from safeguarding_portal.schools import views as school_views

from . import factories_curriculum as f

# Writes to the database or the audit log, as a call's name: none may appear in a view.
WRITES = {
    "save",
    "create",
    "bulk_create",
    "update",
    "update_or_create",
    "get_or_create",
    "delete",
    "audit_record",
    "atomic",
}
# Not one transaction of their own, with the reason: each gap is its own transaction (a concurrent check loses
# only its duplicate), the defaults are one statement, and the staff import is the MIS import's transaction.
NOT_ATOMIC = {services.gaps_check, services.requirements_ensure_defaults, school_services.staff_import}


def _calls(module) -> set[str]:
    tree = ast.parse(Path(inspect.getfile(module)).read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def _public_services(module):
    return [
        fn
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and fn.__module__ == module.__name__
    ]


@pytest.mark.parametrize("module", [views, school_views], ids=lambda m: m.__name__)
def test_the_views_call_no_write_themselves(module):
    assert _calls(module) & WRITES == set()


def test_the_write_scan_finds_a_form_saved_in_a_view(tmp_path, monkeypatch):
    # Guards the test above: a view that saves a form is caught.
    module = tmp_path / "saving_view.py"
    module.write_text("def unit_add(request, form):\n    form.save()\n    return None\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import saving_view

    assert _calls(saving_view) & WRITES == {"save"}


@pytest.mark.parametrize("module", [services, school_services], ids=lambda m: m.__name__)
def test_services_take_keywords_and_never_the_request(module):
    for fn in _public_services(module):
        params = inspect.signature(fn).parameters.values()
        assert all(p.kind == p.KEYWORD_ONLY for p in params), fn.__name__
        assert not {p.name for p in params} & {"request", "portal"}, fn.__name__


@pytest.mark.parametrize("module", [services, school_services], ids=lambda m: m.__name__)
def test_each_write_is_one_transaction(module):
    unwrapped = [
        fn.__name__ for fn in _public_services(module) if fn not in NOT_ATOMIC and not hasattr(fn, "__wrapped__")
    ]
    assert unwrapped == []


@pytest.mark.django_db
def test_another_schools_requirement_or_unit_is_refused(school, other_school):
    theirs = f.requirement(other_school, "induction")
    name = theirs.name
    form = RequirementForm(
        {"name": "Renamed", "roles": ["staff"], "renew_months": "12", "active": "on"}, instance=theirs
    )
    assert form.is_valid(), form.errors
    with pytest.raises(ValidationError):
        services.requirement_save(school=school, form=form)
    assert TrainingRequirement.objects.get(pk=theirs.pk).name == name

    unit = f.unit(other_school)
    form = UnitForm(
        {"title": "Moved", "programme": "Kapow", "year_groups": ["5"], "strands": ["bullying"], "active": "on"},
        instance=unit,
    )
    assert form.is_valid(), form.errors
    with pytest.raises(ValidationError):
        services.unit_save(school=school, form=form)
    assert Unit.objects.get(pk=unit.pk).title == "Kind online"


@pytest.mark.django_db
def test_an_event_is_recorded_by_the_user_who_saved_it(school, osl):
    data = {
        "kind": Event.Kind.ASSEMBLY,
        "title": "Safer Internet Day",
        "held_on": "2026-02-10",
        "audience": Event.Audience.PUPILS,
        "attendance": "120",
    }
    form = EventForm(data, instance=Event(school=school))
    assert form.is_valid(), form.errors

    event = services.event_record(school=school, user=osl, form=form)

    assert (event.school, event.recorded_by, event.title) == (school, osl, "Safer Internet Day")


@pytest.mark.django_db
def test_a_map_that_cannot_raise_its_gaps_is_not_saved(school, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("gap check failed")

    monkeypatch.setattr(services, "gaps_check", broken)
    with pytest.raises(RuntimeError):
        services.category_map_save(school=school, mapping={"phishing_scams": ["privacy"]}, threshold=2)

    assert not CategoryStrand.objects.filter(school=school).exists()
    assert not CurriculumSettings.objects.filter(school=school, gap_threshold=2).exists()


@pytest.mark.django_db
def test_the_units_page_saves_through_the_service(client, signed_in, school, osl):
    signed_in(osl)

    response = client.post(
        reverse("curriculum:unit_add"),
        {
            "title": "Online friends",
            "programme": "Kapow",
            "year_groups": ["4"],
            "strands": ["bullying", "self_image"],
            "active": "on",
        },
    )

    assert response.status_code == 302
    unit = Unit.objects.get(school=school, title="Online friends")
    assert unit.strands == ["self_image", "bullying"]  # the curriculum's order, whatever order they came in
