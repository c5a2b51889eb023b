"""A service's ``ValidationError`` reaches the page one way (``core/formerrors.py``): a message about a field the
form has goes on that field, any other at the top of the form, none dropped and none a crash; a page without a
form shows the messages. No view reads the error's parts itself."""

import pathlib
import re

import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from safeguarding_portal.core.formerrors import add_errors_to_form, error_messages

from .project_files import NOT_THE_PROJECT

# Reading a ValidationError's parts, or handing it to a form, by hand.
BY_HAND = re.compile(r"\bexc\.(messages|message_dict|error_dict|error_list)\b|\.add_error\([^)\n]*,\s*exc\)")


class DateForm(forms.Form):
    starts_on = forms.DateField(required=False)


def _bound() -> DateForm:
    form = DateForm({"starts_on": ""})
    assert form.is_valid()
    return form


def test_a_message_about_a_field_goes_on_the_field_and_another_at_the_top():
    form = _bound()

    add_errors_to_form(
        form, ValidationError({"starts_on": "That date is in the future.", "elsewhere": "Not on this page."})
    )

    assert form.errors["starts_on"] == ["That date is in the future."]
    assert form.errors[NON_FIELD_ERRORS] == ["Not on this page."]


def test_a_plain_message_goes_at_the_top():
    form = _bound()

    add_errors_to_form(form, ValidationError(["First.", "Second."]))

    assert form.non_field_errors() == ["First.", "Second."]


def test_a_page_that_shows_errors_at_the_top_gets_every_message_there():
    form = _bound()

    add_errors_to_form(form, ValidationError({"starts_on": "Too early."}), on_fields=False)

    assert form.non_field_errors() == ["Too early."] and "starts_on" not in form.errors


@pytest.mark.parametrize(
    "exc, expected",
    [
        (ValidationError("One."), ["One."]),
        (ValidationError({"a": ["Two.", "Three."], "b": "Four."}), ["Two.", "Three.", "Four."]),
    ],
)
def test_a_page_without_a_form_gets_every_message_in_order(exc, expected):
    assert error_messages(exc) == expected


def test_no_view_maps_a_services_error_by_hand():
    root = pathlib.Path(settings.BASE_DIR)
    by_hand = []
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in NOT_THE_PROJECT or parts[0].startswith(".") or "migrations" in parts:
            continue
        if (path.name.startswith("views") or path.name.endswith("_views.py")) and BY_HAND.search(
            path.read_text(encoding="utf-8")
        ):
            by_hand.append(str(path.relative_to(root)))
    assert by_hand == [], f"use safeguarding_portal/core/formerrors.py: {by_hand}"


def test_the_scan_sees_the_mappings_it_replaced():
    assert BY_HAND.search("for field, errors in exc.message_dict.items():")
    assert BY_HAND.search("form.add_error(None, exc)")
    assert BY_HAND.search('messages.error(request, " ".join(exc.messages))')
    assert not BY_HAND.search("add_errors_to_form(form, exc)")
    assert not BY_HAND.search('form.add_error("severities", str(exc))')  # a file's rejection, not a service's
