"""The ledger guard on PostgreSQL: triggers refuse UPDATE and DELETE of events (demands_event) and
DELETE of demands (demands_demand), whoever connects — the application, a shell, a careless
script. The application never does either (events are appended, demands closed, not removed).

A migration that truly must rewrite the ledger says so explicitly, inside its own transaction:

    from ops.ledger import allow_ledger_rewrite

    operations = [allow_ledger_rewrite(), migrations.RunPython(fix_events)]

which runs `SET LOCAL qinshang.allow_ledger_rewrite = 'on'`; the setting ends with the migration's
transaction. Code outside migrations uses `with ledger_rewrite():` inside atomic(), for that block only.
SQLite has no such triggers; there the application's rule stands alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, migrations

SETTING = "qinshang.allow_ledger_rewrite"

# One statement per item: with server-side binding (settings) a single execute() takes one only.
GUARD_SQL = [
    f"""
CREATE OR REPLACE FUNCTION qinshang_ledger_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('{SETTING}', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '台账记录不可修改或删除：% 拒绝 %', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation',
              HINT = 'A migration that must rewrite the ledger runs '
                     'SET LOCAL {SETTING} = ''on'' first (ops.ledger.allow_ledger_rewrite).';
END
$$""",
    "DROP TRIGGER IF EXISTS event_append_only ON demands_event",
    "CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON demands_event"
    " FOR EACH ROW EXECUTE FUNCTION qinshang_ledger_guard()",
    "DROP TRIGGER IF EXISTS demand_never_deleted ON demands_demand",
    "CREATE TRIGGER demand_never_deleted BEFORE DELETE ON demands_demand"
    " FOR EACH ROW EXECUTE FUNCTION qinshang_ledger_guard()",
]

UNGUARD_SQL = [
    "DROP TRIGGER IF EXISTS event_append_only ON demands_event",
    "DROP TRIGGER IF EXISTS demand_never_deleted ON demands_demand",
    "DROP FUNCTION IF EXISTS qinshang_ledger_guard()",
]


def _on_postgres(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, None)  # no params: the % in RAISE stay as written

    return run


def guard_operation() -> migrations.RunPython:
    return migrations.RunPython(_on_postgres(GUARD_SQL), _on_postgres(UNGUARD_SQL))


def allow_ledger_rewrite() -> migrations.RunPython:
    """The explicit permission, as a migration operation (the migration must stay atomic)."""
    sql = [f"SET LOCAL {SETTING} = 'on'"]
    return migrations.RunPython(_on_postgres(sql), _on_postgres(sql))


@contextmanager
def ledger_rewrite() -> Iterator[None]:
    """Inside transaction.atomic(): lift the guard for the block (never beyond the transaction)."""
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("ledger_rewrite() must run inside transaction.atomic()")
    with connection.cursor() as cur:
        cur.execute(f"SET LOCAL {SETTING} = 'on'")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"SET LOCAL {SETTING} = 'off'")
