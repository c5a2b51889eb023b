"""A parent's or carer's digest, in their language.

Staff digests are the portal's English (services._compose). A parent's reminders carry the language of their
emails (``Reminder.language``: their choice on the parents' pages, else their child's MIS home language when the
school offers it, else English; the area that records the reminder decides it and words its item in it). Their
digest is worded around those items in the same language, subject and body, with an HTML version whose
``<html lang dir>`` lets a mail client set Arabic and Urdu right to left (a plain-text body cannot say so).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

ENGLISH = "en-gb"


class Item(Protocol):
    text: str
    url: str
    language: str


def language_of(items: Sequence[Item]) -> str:
    """The digest's language: a parent's items carry one; empty when all are staff items (English)."""
    return next((item.language for item in items if item.language), "")


def compose(items: Sequence[Item], *, language: str, school_name: str, links: Sequence[str]) -> tuple[str, str, str]:
    """(subject, text body, HTML body) of a parent's digest in ``language``. ``links``: each item's absolute URL."""
    code = language if language in {c for c, _name in settings.LANGUAGES} else ENGLISH
    with translation.override(code):
        subject = (
            gettext("Reminder from %(school)s") % {"school": school_name}
            if school_name
            else gettext("Reminder from your child's school")
        )
        greeting = gettext("Dear parent or carer,")
        intro = gettext("This is a reminder of what the school is still waiting for from you:")
        keep = gettext("Please do not forward this email: the links in it are yours.")
        once = gettext("You get at most one of these reminders a day.")
        lines = [greeting, "", intro, ""]
        for item, link in zip(items, links, strict=True):
            lines.append(f"- {item.text}")
            if link:
                lines.append(f"  {link}")
        lines += ["", keep, once]
        html = render_to_string(
            "reminders/parent_digest.html",
            {
                "language": code,
                "rtl": translation.get_language_info(code)["bidi"],
                "subject": subject,
                "greeting": greeting,
                "intro": intro,
                "items": [{"text": item.text, "url": link} for item, link in zip(items, links, strict=True)],
                "keep": keep,
                "once": once,
            },
        )
    return subject, "\n".join(lines) + "\n", html
