"""The restore drill: make demands with attachments, back up, wipe, restore, and compare every
table's row count and every attachment's checksum. On SQLite always; on PostgreSQL when the
suite runs there (DATABASE_URL), in a scratch database named after the test database."""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from demands.models import Attachment
from ops.tests.helpers import make_demand

ROOT = Path(settings.BASE_DIR)
pytestmark = pytest.mark.django_db(transaction=True)


def run(script: str, *args: str, env: dict, ok: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run(
        ["bash", str(ROOT / "scripts" / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if ok:
        assert p.returncode == 0, p.stdout + p.stderr
    else:
        assert p.returncode != 0, p.stdout + p.stderr
    return p


def checksums(media: Path) -> dict[str, str]:
    return {
        a.file.name: hashlib.sha256((media / a.file.name).read_bytes()).hexdigest()
        for a in Attachment.objects.all()
    }


def sqlite_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    db.close()
    return counts


def pg_conninfo(name: str) -> str:
    s = settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(
        host=s["HOST"] or "127.0.0.1",
        port=str(s["PORT"] or 5432),
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname=name,
    )


def pg_url(name: str) -> str:
    s = settings.DATABASES["default"]
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def pg_counts(name: str) -> dict[str, int]:
    with psycopg.connect(pg_conninfo(name)) as c:
        tables = [
            r[0] for r in c.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        return {t: c.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def pg_admin(sql: str) -> None:
    with psycopg.connect(pg_conninfo("postgres"), autocommit=True) as c:
        c.execute(sql)


def _ledger(world, media: Path) -> dict[str, str]:
    with override_settings(MEDIA_ROOT=str(media)):
        for i in range(4):
            make_demand(world, f"演练诉求 {i}", files=i)
        sums = checksums(media)
    assert len(sums) == 6
    return sums


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite drill (PostgreSQL below)")
def test_restore_drill_sqlite(world, tmp_path):
    media, live, backups = tmp_path / "media", tmp_path / "live.sqlite3", tmp_path / "backups"
    sums = _ledger(world, media)
    # The suite's database lives in memory; the drill's "production" database is a file.
    connection.ensure_connection()
    target = sqlite3.connect(live)
    connection.connection.backup(target)
    target.close()
    before = sqlite_counts(live)
    assert before["demands_demand"] == 4 and before["demands_attachment"] == 6

    env = {"DATABASE_URL": f"sqlite:///{live}", "MEDIA_ROOT": str(media)}
    out = run("backup.sh", "--output", str(backups), env=env).stdout
    assert "备份完成" in out and "附件 6 个文件" in out
    (backup,) = backups.iterdir()
    assert (backup / "database.sqlite3").exists() and (backup / "MANIFEST.sha256").exists()

    # Over a live database the restore refuses without --force and touches nothing.
    err = run("restore.sh", str(backup), env=env, ok=False).stderr
    assert "不是空的" in err and "--force" in err

    live.unlink()
    shutil.rmtree(media)
    out = run("restore.sh", str(backup), env=env).stdout
    assert "恢复完成" in out
    assert sqlite_counts(live) == before
    with override_settings(MEDIA_ROOT=str(media)):
        assert checksums(media) == sums

    # --force over the now non-empty target works, keeping the old media aside.
    run("restore.sh", str(backup), "--force", env=env)
    assert sqlite_counts(live) == before
    assert list(tmp_path.glob("media.before-restore-*"))


def test_a_tampered_backup_is_refused(world, tmp_path):
    media, live = tmp_path / "media", tmp_path / "live.sqlite3"
    _ledger(world, media)
    sqlite3.connect(live).execute("CREATE TABLE t (x)").connection.commit()
    env = {"DATABASE_URL": f"sqlite:///{live}", "MEDIA_ROOT": str(media)}
    run("backup.sh", "--output", str(tmp_path / "b"), env=env)
    (backup,) = (tmp_path / "b").iterdir()
    victim = next((backup / "media").rglob("*.pdf"))
    victim.write_bytes(victim.read_bytes() + b"x")
    live.unlink()
    shutil.rmtree(media)
    err = run("restore.sh", str(backup), env=env, ok=False).stderr
    assert "校验失败" in err and victim.name in err
    assert not live.exists() and not media.exists()  # nothing was touched
    # A file slipped into the backup without a manifest line is refused as well.
    victim.write_bytes(victim.read_bytes()[:-1])
    (backup / "media" / "extra.txt").write_text("?")
    assert "不在校验清单中" in run("restore.sh", str(backup), env=env, ok=False).stderr


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL (PostgreSQL)")
def test_restore_drill_postgresql(world, tmp_path):
    media, backups = tmp_path / "media", tmp_path / "backups"
    sums = _ledger(world, media)
    drill = f"{settings.DATABASES['default']['NAME']}_drill"
    pg_admin(f'DROP DATABASE IF EXISTS "{drill}"')
    connection.close()  # a template database must have no other sessions
    pg_admin(f'CREATE DATABASE "{drill}" TEMPLATE "{settings.DATABASES["default"]["NAME"]}"')
    try:
        before = pg_counts(drill)
        assert before["demands_demand"] == 4 and before["demands_attachment"] == 6
        env = {"DATABASE_URL": pg_url(drill), "MEDIA_ROOT": str(media)}
        run("backup.sh", "--output", str(backups), env=env)
        (backup,) = backups.iterdir()
        assert (backup / "database.pgdump").read_bytes()[:5] == b"PGDMP"  # custom format

        err = run("restore.sh", str(backup), env=env, ok=False).stderr
        assert "不是空的" in err

        pg_admin(f'DROP DATABASE "{drill}"')
        shutil.rmtree(media)
        out = run("restore.sh", str(backup), env=env).stdout
        assert "已创建数据库" in out and "恢复完成" in out
        assert pg_counts(drill) == before
        with override_settings(MEDIA_ROOT=str(media)):
            assert checksums(media) == sums
        # The restored ledger is guarded again: the triggers came back with the schema.
        with psycopg.connect(pg_conninfo(drill)) as c, pytest.raises(psycopg.Error):
            c.execute("DELETE FROM demands_event")
        # --force wipes the existing schema and restores into it.
        assert "已清空数据库" in run("restore.sh", str(backup), "--force", env=env).stdout
        assert pg_counts(drill) == before
    finally:
        pg_admin(f'DROP DATABASE IF EXISTS "{drill}"')


@pytest.mark.django_db(transaction=False)
def test_the_database_password_stays_off_the_command_line():
    p = subprocess.run(
        [str(ROOT / ".venv/bin/python"), str(ROOT / "scripts/dbinfo.py")],
        env={**os.environ, "DATABASE_URL": "postgres://qs:s%40cret@db1:5432/qinshang"},
        capture_output=True,
        text=True,
        check=True,
    )
    lines = dict(line.split("=", 1) for line in p.stdout.splitlines() if "=" in line)
    assert lines["PGPASSWORD"] == "s@cret" and "export PGPASSWORD" in p.stdout
    assert "cret" not in lines["DB_URL"] and "cret" not in lines["DB_MAINT_URL"]
    assert lines["DB_MAINT_URL"].endswith("/postgres")
