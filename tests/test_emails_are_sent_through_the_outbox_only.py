"""Every email goes through ``safeguarding_portal.outbox.email.send_email`` (one delivery record each, retried,
refusals recorded): no other module talks to Django's mail API or an SMTP server itself."""

import ast
import pathlib

from django.conf import settings

from .project_files import NOT_THE_PROJECT

ROOT = pathlib.Path(settings.BASE_DIR)
THE_PATH = "safeguarding_portal/outbox/email.py"
MAIL_MODULES = ("django.core.mail", "smtplib")


def _mail_imports(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
        found |= {n for n in names if n.startswith(MAIL_MODULES)}
    return found


def _modules():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in NOT_THE_PROJECT | {"bench"} or parts[0].startswith(".") or "migrations" in parts:
            continue
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def test_only_the_outbox_imports_the_mail_api():
    senders = sorted(name for name, source in _modules() if _mail_imports(source))
    assert senders == [THE_PATH]


def test_the_scan_sees_a_mail_import_inside_a_function():
    assert _mail_imports("def notify():\n    from django.core.mail import send_mail\n    send_mail()\n")
    assert _mail_imports("import smtplib\n")
