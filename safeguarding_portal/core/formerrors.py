"""The one way a page shows a ``ValidationError`` raised by a service: on its form, or as messages.

Services raise ``ValidationError("...")`` or ``ValidationError({"field": "..."})``. A page with a form shows
each message on the field it names when the form has that field, else at the top of the form (a message about a
field the page does not show is still shown, never dropped and never a crash). A page that shows only its
form's own errors at the top asks for that with ``on_fields=False``; a page without a form shows the messages.
(tests/test_service_errors_reach_the_page_through_one_mapping.py keeps this the only mapping.)
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def error_messages(exc: ValidationError) -> list[str]:
    """Every message, field ones included, in the order the service gave them."""
    return list(exc.messages)


def add_errors_to_form(form: forms.BaseForm, exc: ValidationError, *, on_fields: bool = True) -> None:
    if on_fields and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error_messages(exc))
