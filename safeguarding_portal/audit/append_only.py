"""The append-only guard in the database, declared once: every app's migrations use these, none writes its own
trigger SQL (tests/test_append_only_triggers_are_declared_once.py).

For an app, a ``Guard`` names its PL/pgSQL function and what its rows are ("filtering records are append-only").
Frozen rows refuse UPDATE everywhere and DELETE on PostgreSQL (SQLite test teardown empties tables with DELETE;
there the models' delete() is the guard). Frozen columns refuse an UPDATE of what was reported while the columns
the services keep (status, assignee...) may change. TRUNCATE, which only a database owner can run, is not a row
event: production runs the app as a role without it.

Disposal under the retention schedule (``safeguarding_portal/retention/disposal.py``) is the one change such a
row may still undergo: ``allow_disposal`` swaps a table's UPDATE guard for one that lets an UPDATE through only
when the row's tombstone (``retention_tombstone``, itself append-only and hash-chained) was written first, names
this row and, for a chained row, its hash, and when the columns the migration keeps (ids, chain links, dates) are
unchanged. Any other UPDATE is refused as before.

Migrations call these from ``RunPython``; a migration keeps working as written, since what it creates is fixed by
its own arguments (table and column lists frozen in the migration), not by today's models. Old migrations import
this module: keep its name, and change what it writes only with a new migration.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def _pg(schema_editor: BaseDatabaseSchemaEditor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def _sqlite(schema_editor: BaseDatabaseSchemaEditor) -> bool:
    return schema_editor.connection.vendor == "sqlite"


@dataclass(frozen=True)
class Guard:
    function: str  # the PL/pgSQL function every trigger of the app calls, e.g. "filtering_refuse_change"
    what: str  # "filtering records are append-only": the start of the error a refused change raises
    sqlite_message: str = ""  # SQLite's message for refused rows (default: ``what``)
    # The PL/pgSQL RAISE's arguments, when the message is not "<what> (<operation> on <table>)".
    raise_args: str = ""

    def create_function(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if not _pg(schema_editor):
            return
        args = self.raise_args or f"'{self.what} (% on %)', TG_OP, TG_TABLE_NAME"
        # params=None: the % in RAISE are PL/pgSQL's, not placeholders for the driver.
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {self.function}() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION {args}; END; $$ LANGUAGE plpgsql;",
            params=None,
        )

    def drop_function(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if _pg(schema_editor):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {self.function}();")

    def freeze_rows(self, schema_editor: BaseDatabaseSchemaEditor, tables: Iterable[str]) -> None:
        """No UPDATE of any row of ``tables``; no DELETE either on PostgreSQL."""
        for table in tables:
            if _pg(schema_editor):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW "
                    f"EXECUTE FUNCTION {self.function}();"
                )
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
                    f"EXECUTE FUNCTION {self.function}();"
                )
            elif _sqlite(schema_editor):
                schema_editor.execute(self._sqlite_no_update(table))

    def refreeze_rows_on_sqlite(self, schema_editor: BaseDatabaseSchemaEditor, tables: Iterable[str]) -> None:
        """SQLite rebuilds a table to add some columns or constraints, dropping its triggers: put them back."""
        if _sqlite(schema_editor):
            for table in tables:
                schema_editor.execute(self._sqlite_no_update(table, if_not_exists=True))

    def thaw_rows(self, schema_editor: BaseDatabaseSchemaEditor, tables: Iterable[str]) -> None:
        for table in tables:
            if _pg(schema_editor):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};")
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table};")
            elif _sqlite(schema_editor):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")

    def freeze_columns(
        self,
        schema_editor: BaseDatabaseSchemaEditor,
        *,
        trigger: str,
        table: str,
        columns: Sequence[str],
        sqlite_message: str,
        replace: bool = False,
    ) -> None:
        """No UPDATE of ``columns`` of ``table`` (what was reported); ``replace`` swaps an earlier list."""
        cols = ", ".join(columns)
        if replace:
            self.thaw_columns(schema_editor, trigger=trigger, table=table)
        if _pg(schema_editor):
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE OF {cols} "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION {self.function}();"
            )
        elif _sqlite(schema_editor):
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE OF {cols} "
                f"ON {table} BEGIN SELECT RAISE(ABORT, '{sqlite_message}'); END;"
            )

    def thaw_columns(self, schema_editor: BaseDatabaseSchemaEditor, *, trigger: str, table: str) -> None:
        if _pg(schema_editor):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")
        elif _sqlite(schema_editor):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger};")

    def no_delete(self, schema_editor: BaseDatabaseSchemaEditor, *, trigger: str, table: str) -> None:
        """No DELETE of ``table``'s rows (PostgreSQL; on SQLite the model's delete() is the guard)."""
        if _pg(schema_editor):
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} BEFORE DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {self.function}();"
            )

    def allow_delete(self, schema_editor: BaseDatabaseSchemaEditor, *, trigger: str, table: str) -> None:
        if _pg(schema_editor):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")

    def _sqlite_no_update(self, table: str, *, if_not_exists: bool = False) -> str:
        exists = "IF NOT EXISTS " if if_not_exists else ""
        return (
            f"CREATE TRIGGER {exists}{table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{self.sqlite_message or self.what}'); END;"
        )

    # --- disposal (retention) ------------------------------------------------------------------------------

    def create_disposal_function(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        """``<function>_unless_disposed``: refuses as ``create_function`` does, unless the row has a tombstone and
        the columns named in the trigger's arguments are unchanged (PostgreSQL)."""
        if not _pg(schema_editor):
            return
        schema_editor.execute(  # names and messages are fixed by the migration: no input reaches them
            f"CREATE OR REPLACE FUNCTION {self.function}_unless_disposed() RETURNS trigger AS $$ "  # noqa: S608
            "DECLARE col text; old_row jsonb := to_jsonb(OLD); new_row jsonb := to_jsonb(NEW); "
            "BEGIN "
            "IF TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM retention_tombstone t WHERE t.record_table = TG_TABLE_NAME "
            "AND t.record_id = OLD.id AND t.record_hash = COALESCE(old_row->>'hash', '')) THEN "
            "FOREACH col IN ARRAY TG_ARGV LOOP "
            "IF new_row->col IS DISTINCT FROM old_row->col THEN "
            f"RAISE EXCEPTION '{self.what}: a disposal blanks content only (% of %)', col, TG_TABLE_NAME; "
            "END IF; END LOOP; RETURN NEW; END IF; "
            f"RAISE EXCEPTION '{self.what} (% on %)', TG_OP, TG_TABLE_NAME; "
            "END; $$ LANGUAGE plpgsql;",
            params=None,
        )

    def allow_disposal(
        self,
        schema_editor: BaseDatabaseSchemaEditor,
        *,
        trigger: str,
        table: str,
        kept: Sequence[str],
        chained: bool,
        columns: Sequence[str] | None = None,
        sqlite_message: str = "",
    ) -> None:
        """Replace ``trigger`` (a ``freeze_rows`` UPDATE trigger, ``<table>_no_update``, or a ``freeze_columns``
        one when ``columns`` is given) by one that lets a tombstoned row be blanked: ``kept`` columns unchanged."""
        of = f"OF {', '.join(columns)} " if columns else ""
        if _pg(schema_editor):
            args = ", ".join(f"'{c}'" for c in kept)
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE {of}ON {table} FOR EACH ROW "
                f"EXECUTE FUNCTION {self.function}_unless_disposed({args});"
            )
        elif _sqlite(schema_editor):
            same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in kept)
            own_hash = "OLD.hash" if chained else "''"
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger};")
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE {of}ON {table} WHEN NOT (EXISTS (SELECT 1 FROM "  # noqa: S608
                f"retention_tombstone t WHERE t.record_table = '{table}' AND t.record_id = OLD.id AND "
                f"t.record_hash = {own_hash}) AND {same}) "
                f"BEGIN SELECT RAISE(ABORT, '{sqlite_message or self.sqlite_message or self.what}'); END;"
            )

    def drop_disposal_function(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if _pg(schema_editor):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {self.function}_unless_disposed();")
