"""The languages a school may offer its parents, and which one a parent's page or email is in.

English is the original and always offered. A school ticks the others it offers (``School.parent_languages``);
a parent's language is their choice on the page (remembered in a cookie), else their child's home language
from the MIS, else English. Staff pages never change language: only the parents' pages activate one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

ENGLISH = "en-gb"
COOKIE = "parent_language"
COOKIE_MAX_AGE = 365 * 24 * 3600

# (code, name in English, name in the language itself): the staff settings show the first two, the parents'
# switcher the third.
PARENT_LANGUAGES: tuple[tuple[str, str, str], ...] = (
    ("cy", "Welsh", "Cymraeg"),
    ("pl", "Polish", "Polski"),
    ("ro", "Romanian", "Română"),
    ("ur", "Urdu", "اردو"),
    ("pa", "Punjabi (Gurmukhi)", "ਪੰਜਾਬੀ"),
    ("ar", "Arabic", "العربية"),
    ("bn", "Bengali", "বাংলা"),
)
CODES = frozenset(code for code, _en, _own in PARENT_LANGUAGES)
CHOICES = [(code, english) for code, english, _own in PARENT_LANGUAGES]
OWN_NAMES = {ENGLISH: "English", **{code: own for code, _en, own in PARENT_LANGUAGES}}
ENGLISH_NAMES = {ENGLISH: "English", **{code: english for code, english, _own in PARENT_LANGUAGES}}

# How MIS exports spell a home language: the DfE's census codes (SIMS, Arbor and Bromcom export "POL", "URD",
# "BNGS"...: the first three letters name the language, a fourth the dialect), ISO 639 codes and the names.
_MIS_SPELLINGS: dict[str, tuple[str, ...]] = {
    ENGLISH: ("eng", "en", "english", "enb", "en-gb"),
    "cy": ("wel", "cy", "cym", "welsh", "cymraeg"),
    "pl": ("pol", "pl", "polish", "polski"),
    "ro": ("rmn", "ro", "ron", "rum", "romanian", "romana", "română", "moldovan"),
    "ur": ("urd", "ur", "urdu"),
    "pa": ("pnj", "pa", "pan", "punjabi", "panjabi", "punjabi (gurmukhi)", "panjabi (gurmukhi)"),
    "ar": ("ara", "ar", "arabic"),
    "bn": ("bng", "bn", "ben", "bengali", "bangla", "sylheti", "bengali (sylheti)"),
}
_MIS_LOOKUP = {spelling: code for code, spellings in _MIS_SPELLINGS.items() for spelling in spellings}


def from_mis(value: str) -> str:
    """The language code for an MIS home-language cell; "" when it is empty or not one the portal offers."""
    text = re.sub(r"\s+", " ", value or "").strip().casefold()
    if not text:
        return ""
    if text in _MIS_LOOKUP:
        return _MIS_LOOKUP[text]
    # Census codes with a dialect letter ("BNGS", "PNJM", "URDP"): the first three letters are the language.
    if re.fullmatch(r"[a-z]{4}", text) and text[:3] in _MIS_LOOKUP:
        return _MIS_LOOKUP[text[:3]]
    # "Bengali (Sylheti)", "Panjabi (Mirpuri)": the language before the bracket.
    head = text.split("(")[0].strip()
    return _MIS_LOOKUP.get(head, "")


def offered(codes: Iterable[str] | None) -> list[str]:
    """English first, then the offered languages in the portal's order (unknown codes are ignored)."""
    chosen = set(codes or ())
    return [ENGLISH] + [code for code, _en, _own in PARENT_LANGUAGES if code in chosen]


def all_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def choose(*, request: HttpRequest, offered_codes: list[str], home_languages: Iterable[str] = ()) -> str:
    """The page's language: ``?lang=`` (a click on the switcher), the cookie, the MIS home language, English.

    Only an offered language is ever used, so a school that stops offering one falls back to English.
    """
    for candidate in (request.GET.get("lang", ""), request.COOKIES.get(COOKIE, "")):
        if candidate in offered_codes:
            return candidate
    for code in home_languages:
        if code in offered_codes:
            return code
    return ENGLISH


def is_rtl(code: str) -> bool:
    return translation.get_language_info(code)["bidi"]


def switcher(*, offered_codes: list[str], current: str) -> list[dict]:
    """The links of the language switcher (the language names, each in its own language and script)."""
    return [
        {"code": code, "name": OWN_NAMES.get(code, code), "current": code == current, "rtl": is_rtl(code)}
        for code in offered_codes
    ]
