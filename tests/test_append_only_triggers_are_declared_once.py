"""The database's append-only guard is declared once (``safeguarding_portal/audit/append_only.py``): migrations
name their tables and columns and call it; none writes trigger SQL of its own, save the agreements' rule that a
published version's text is frozen (a condition on the row, not a refusal of every change)."""

import pathlib
import re

from django.conf import settings

from .project_files import NOT_THE_PROJECT

ROOT = pathlib.Path(settings.BASE_DIR)
HAND_WRITTEN = re.compile(r"CREATE\s+(OR\s+REPLACE\s+FUNCTION|TRIGGER)", re.I)
# The one trigger with a condition of its own, and the helper itself.
ALLOWED = {
    "aup/migrations/0002_append_only_triggers.py": {"aup_version_frozen", "aup_agreementversion_frozen"},
    "safeguarding_portal/audit/append_only.py": set(),
}


def _sources():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in NOT_THE_PROJECT or parts[0].startswith("."):
            continue
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def test_no_migration_writes_its_own_trigger_sql():
    writers = {name: text for name, text in _sources() if HAND_WRITTEN.search(text)}
    assert set(writers) <= set(ALLOWED), f"declare it with audit.append_only.Guard: {sorted(writers)}"
    aup = writers["aup/migrations/0002_append_only_triggers.py"]
    created = set(re.findall(r"CREATE (?:OR REPLACE FUNCTION|TRIGGER) (\w+)", aup))
    assert created == ALLOWED["aup/migrations/0002_append_only_triggers.py"]


def test_the_guard_writes_the_same_sql_for_every_app():
    from safeguarding_portal.audit.append_only import Guard

    class Editor:
        def __init__(self, vendor):
            self.connection = type("Connection", (), {"vendor": vendor})()
            self.sql = []

        def execute(self, sql, params=()):
            self.sql.append(sql)

    guard = Guard(function="duty_refuse_change", what="Operation Encompass records are append-only")
    pg, sqlite = Editor("postgresql"), Editor("sqlite")
    for editor in (pg, sqlite):
        guard.create_function(editor)
        guard.freeze_rows(editor, ["duty_encompassentry"])
    assert pg.sql == [
        "CREATE OR REPLACE FUNCTION duty_refuse_change() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
        "'Operation Encompass records are append-only (% on %)', TG_OP, TG_TABLE_NAME; END; $$ LANGUAGE plpgsql;",
        "CREATE TRIGGER duty_encompassentry_no_update BEFORE UPDATE ON duty_encompassentry FOR EACH ROW "
        "EXECUTE FUNCTION duty_refuse_change();",
        "CREATE TRIGGER duty_encompassentry_no_delete BEFORE DELETE ON duty_encompassentry FOR EACH ROW "
        "EXECUTE FUNCTION duty_refuse_change();",
    ]
    assert sqlite.sql == [
        "CREATE TRIGGER duty_encompassentry_no_update BEFORE UPDATE ON duty_encompassentry "
        "BEGIN SELECT RAISE(ABORT, 'Operation Encompass records are append-only'); END;"
    ]
