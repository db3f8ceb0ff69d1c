"""The migrated SQLite test database, kept between test runs (tests only).

Migrating an empty in-memory database from the first migration took about 35 s of CPU in every
test process, nearly all of it Django re-rendering model states between operations. The result
depends only on the migration files, what they import from the project, the data files they
load, and the Django and SQLite versions; so the migrated database is copied to
`build/test-db/<hash of those>.sqlite3` once and copied back into memory by the next process.
Changing any migration (or what one imports) changes the hash, and that run migrates for real.
PostgreSQL (`make test-postgres`) always migrates; `QINSHANG_TEST_DB_CACHE=0` turns the copy off.
The `post_migrate` handlers (content types, permissions) still run every time.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import sqlite3
import sys
import types
from pathlib import Path
from typing import Any

import django
from django.db.migrations.executor import MigrationExecutor

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / "build" / "test-db"
# Bumped by hand when the copy itself changes meaning.
FORMAT = "1"

_original_migrate = MigrationExecutor.migrate


def _project_file(obj: Any) -> Path | None:
    module = obj if isinstance(obj, types.ModuleType) else inspect.getmodule(obj)
    name = getattr(module, "__file__", None)
    if not name:
        return None
    path = Path(name).resolve()
    return path if path.is_relative_to(ROOT) and ".venv" not in path.parts else None


def fingerprint(executor: MigrationExecutor) -> str:
    """A hash of everything the migrated database is made of."""
    files: set[Path] = set()
    for migration in executor.loader.disk_migrations.values():
        module = sys.modules[type(migration).__module__]
        for value in [module, *vars(module).values()]:
            if (path := _project_file(value)) is not None:
                files.add(path)
    for data in ROOT.glob("*/data/**/*"):
        if data.is_file():
            files.add(data.resolve())
    h = hashlib.sha256()
    for part in (FORMAT, django.__version__, sqlite3.sqlite_version):
        h.update(part.encode() + b"\0")
    for path in sorted(files):
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:20]


def _migrate(
    self: MigrationExecutor,
    targets: Any,
    plan: Any = None,
    state: Any = None,
    fake: bool = False,
    fake_initial: bool = False,
) -> Any:
    conn = self.connection
    cacheable = (
        conn.vendor == "sqlite"
        and getattr(conn, "is_in_memory_db", lambda: False)()
        and not fake
        and os.environ.get("QINSHANG_TEST_DB_CACHE", "1") != "0"
        and not self.recorder.applied_migrations()
        and plan is not None
        and len(plan) == len(self.loader.disk_migrations)  # everything forwards from nothing
    )
    if not cacheable:
        return _original_migrate(self, targets, plan, state, fake, fake_initial)
    path = CACHE_DIR / f"{fingerprint(self)}.sqlite3"
    conn.ensure_connection()
    if path.exists():
        src = sqlite3.connect(path)
        try:
            src.backup(conn.connection)
        finally:
            src.close()
        return self.loader.project_state()
    out = _original_migrate(self, targets, plan, state, fake, fake_initial)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    dst = sqlite3.connect(tmp)
    try:
        conn.connection.backup(dst)
    finally:
        dst.close()
    os.replace(tmp, path)  # two test processes may write it at once: the last one wins, whole
    return out


def install() -> None:
    setattr(MigrationExecutor, "migrate", _migrate)  # noqa: B010  (a method replaced, for mypy)
