"""Secrets that travel in URLs, taken out of log lines.

A parent's signing and manage links, password-reset links, kept-form links, monitoring webhook addresses and
a CP file's one-time download link carry
their token in the path: whoever reads a log line holding one can sign for a child, change a consent, reset a
password or aim posts at a school's alert address. Access logs (gunicorn, deploy/gunicorn.conf.py) and the
portal's own logging (Django's "Not Found: <path>", the dev server's request lines) pass every line through
``redact``.

Plain Python with no Django import: gunicorn's master process loads this file on its own.
"""

from __future__ import annotations

import functools
import logging
import re

REDACTED = "[redacted]"

# (what precedes the secret, how many path segments are secret). Literal segments that are pages, not tokens
# ("sent", "complete"), are left alone.
_SECRET_PATHS = [
    (r"/agreements/s/", 1),
    (r"/agreements/signed/", 1),
    (r"/certificate/", 1),  # .../signed/<token>/certificate/<verification code>/
    (r"/accounts/resume/", 1),
    (r"/monitoring/hook/", 1),  # a school's webhook address: whoever holds it can post alerts at it
    (r"/incidents/transfers/link/", 1),  # a CP file's one-time download link (the passphrase travels apart)
    (r"/accounts/password/reset/(?!sent/|complete/|sent$|complete$)", 2),
]
# A path separator may arrive percent-encoded (a next= parameter): match "/" and "%2F" alike.
_SLASH = r"(?:/|%2[Ff])"


def _pattern(prefix: str, segments: int) -> re.Pattern[str]:
    prefix = prefix.replace("/", _SLASH)
    secret = _SLASH.join([r"[^/%\s?&\"']+"] * segments)
    return re.compile(f"({prefix})({secret})")


_PATTERNS = [(_pattern(prefix, n), n) for prefix, n in _SECRET_PATHS]


def redact(text: str) -> str:
    for pattern, segments in _PATTERNS:
        text = pattern.sub(functools.partial(_redacted, segments=segments), text)
    return text


def _redacted(match: re.Match[str], *, segments: int) -> str:
    return match.group(1) + "/".join([REDACTED] * segments)


class RedactTokensFilter(logging.Filter):
    """On a handler: the record is formatted once, with secrets in URLs replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


# --- Who asked, left out where the page promises anonymity -----------------------------------------------
# A pupil tells the safeguarding team from /incidents/tell/<key>/, named or not: the page promises they can tell
# anonymously, and a school device's address (or its browser) says which classroom or which child's laptop. The
# access log keeps such a line (the page, the status, the time taken) without the client's address, the
# forwarded addresses, the browser or the page it came from. The portal stores none of them either
# (incidents/pupil_reports.py); the throttle counts by a hash in the cache only.
ANONYMOUS_PATHS = ("/incidents/tell/",)
# gunicorn's atoms that say who asked: the address, the user (basic auth), the browser, the referring page.
_WHO_ATOMS = ("h", "u", "a", "f")
UNKNOWN = "-"


def is_anonymous_path(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in ANONYMOUS_PATHS)


def anonymise_atoms(atoms: dict[str, object]) -> dict[str, object]:
    """gunicorn's atoms for a line of an anonymous page: who asked blanked, request headers and environment
    values (the forwarded-address headers, the peer's address in the environment... as ``{name}i``/``{name}e``)
    included. It blanks them without reading any: core/clientip.py stays the one reader of a client's address."""
    path = atoms.get("U")
    if not isinstance(path, str) or not is_anonymous_path(path):
        return atoms
    return {
        key: UNKNOWN if key in _WHO_ATOMS or (key.startswith("{") and key.endswith(("}i", "}e"))) else value
        for key, value in atoms.items()
    }
