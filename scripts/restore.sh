#!/usr/bin/env bash
# 从备份恢复亲商的数据库和附件目录 / Restore Qinshang's database and attachments from a backup.
#
#   scripts/restore.sh BACKUP_DIR [--force] [--env-file FILE]
#
# BACKUP_DIR is a directory written by scripts/backup.sh. The target is the DATABASE_URL and
# MEDIA_ROOT the application uses (or those of --env-file). In order:
#   1. every file is checked against MANIFEST.sha256; any difference and nothing is touched;
#   2. the target database must be empty (a missing PostgreSQL database is created) and the
#      media directory empty, unless --force: then the database is wiped and the old media
#      directory moved aside to MEDIA_ROOT.before-restore-<time>;
#   3. the database is restored (pg_restore in one transaction, or SQLite's backup API), the
#      media copied, and the copied files checked against the manifest again.
# Stop the web, worker and scheduler services first; run `manage.py migrate` after if the code
# is newer than the backup.
set -euo pipefail
umask 077

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FORCE=0
ENV_FILE=""
SRC=""

die() { echo "恢复失败：$*" >&2; exit 1; }
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --force) FORCE=1; shift ;;
    --env-file) ENV_FILE="${2:?--env-file 需要一个文件}"; shift 2 ;;
    -h|--help) usage 0 ;;
    -*) echo "未知参数：$1" >&2; usage 2 ;;
    *) [ -z "$SRC" ] || die "只能指定一个备份目录"; SRC="$1"; shift ;;
  esac
done
[ -n "$SRC" ] || usage 2
[ -d "$SRC" ] || die "备份目录不存在：$SRC"
SRC="$(cd "$SRC" && pwd)"

if [ -n "$ENV_FILE" ]; then
  [ -r "$ENV_FILE" ] || die "无法读取环境文件 $ENV_FILE"
  set -a; . "$ENV_FILE"; set +a
fi
cd "$ROOT"
PY="$ROOT/.venv/bin/python"; [ -x "$PY" ] || PY=python3
INFO="$("$PY" scripts/dbinfo.py)" || die "无法解析 DATABASE_URL"
eval "$INFO"
MEDIA="${MEDIA_ROOT:-$ROOT/media}"

# ---- 1. the backup is whole and unchanged
[ -f "$SRC/MANIFEST.sha256" ] || die "$SRC 中没有校验清单 MANIFEST.sha256，不是完整的备份"
(cd "$SRC" && sha256sum --quiet --strict -c MANIFEST.sha256 1>&2) \
  || die "校验失败：上面列出的文件已损坏或被改动，未做任何恢复"
LISTED="$(wc -l < "$SRC/MANIFEST.sha256")"
PRESENT="$(cd "$SRC" && find . -type f ! -name MANIFEST.sha256 | wc -l)"
[ "$LISTED" -eq "$PRESENT" ] || die "备份中有 $((PRESENT - LISTED)) 个文件不在校验清单中，未做任何恢复"

if [ -f "$SRC/database.pgdump" ]; then BACKUP_ENGINE=postgresql
elif [ -f "$SRC/database.sqlite3" ]; then BACKUP_ENGINE=sqlite
else die "备份中没有数据库文件（database.pgdump 或 database.sqlite3）"; fi
[ "$BACKUP_ENGINE" = "$DB_ENGINE" ] \
  || die "这是 $BACKUP_ENGINE 的备份，而 DATABASE_URL 指向 $DB_ENGINE 数据库"

# ---- 2. the target is empty, or --force
DB_EXISTS=1
case "$DB_ENGINE" in
  postgresql)
    command -v pg_restore >/dev/null || die "找不到 pg_restore（apt-get install postgresql-client）"
    FOUND="$(psql "$DB_MAINT_URL" -X -tAc "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME//\'/\'\'}'")" \
      || die "无法连接 PostgreSQL 服务器（检查 DATABASE_URL）"
    if [ "$FOUND" = "1" ]; then
      TABLES="$(psql "$DB_URL" -X -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" \
        || die "无法连接数据库 $DB_NAME"
    else
      DB_EXISTS=0; TABLES=0
    fi
    ;;
  sqlite)
    TABLES=0
    if [ -s "$DB_NAME" ]; then
      TABLES="$("$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM sqlite_master WHERE type=\"table\"").fetchone()[0])' "$DB_NAME")" \
        || die "无法读取现有数据库文件 $DB_NAME"
    fi
    ;;
esac
MEDIA_NOW=0
[ -d "$MEDIA" ] && MEDIA_NOW="$(find "$MEDIA" -type f | wc -l)"

if [ "$FORCE" -ne 1 ]; then
  [ "$TABLES" -eq 0 ] || die "目标数据库 $DB_NAME 不是空的（有 $TABLES 张表）。恢复会覆盖其中全部数据；确认要覆盖请加 --force"
  [ "$MEDIA_NOW" -eq 0 ] || die "附件目录 $MEDIA 不是空的（有 $MEDIA_NOW 个文件）；确认要覆盖请加 --force（原目录会被移到一旁保留）"
fi

# ---- 3. restore
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
case "$DB_ENGINE" in
  postgresql)
    if [ "$DB_EXISTS" -eq 0 ]; then
      psql "$DB_MAINT_URL" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"${DB_NAME//\"/\"\"}\"" \
        || die "无法创建数据库 $DB_NAME"
      echo "已创建数据库 $DB_NAME"
    elif [ "$TABLES" -gt 0 ]; then
      psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 -c "DROP SCHEMA public CASCADE" -c "CREATE SCHEMA public" \
        || die "无法清空数据库 $DB_NAME"
      echo "已清空数据库 $DB_NAME（--force）"
    fi
    pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
      --dbname="$DB_URL" "$SRC/database.pgdump" || die "pg_restore 失败；数据库 $DB_NAME 未改动（单一事务）"
    ;;
  sqlite)
    mkdir -p "$(dirname "$DB_NAME")"
    "$PY" - "$SRC/database.sqlite3" "$DB_NAME" <<'PYEOF' || die "SQLite 恢复失败：$DB_NAME"
import sqlite3
import sys

src = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
dst = sqlite3.connect(sys.argv[2])
with dst:
    src.backup(dst)  # replaces every page of the target, also while another process has it open
ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
dst.close()
sys.exit(0 if ok == "ok" else f"integrity_check: {ok}")
PYEOF
    ;;
esac
echo "数据库已恢复：$DB_NAME"

if [ "$MEDIA_NOW" -gt 0 ]; then
  ASIDE="$MEDIA.before-restore-$STAMP"
  mv "$MEDIA" "$ASIDE" || die "无法移走原附件目录 $MEDIA"
  echo "原附件目录已移到 $ASIDE"
fi
mkdir -p "$MEDIA"
cp -a "$SRC/media/." "$MEDIA/" || die "复制附件失败：$MEDIA"
# The copies themselves are checked: a full disk or a bad copy must not pass for a restore.
N="$(grep -c '  \./media/' "$SRC/MANIFEST.sha256" || true)"
if [ "$N" -gt 0 ]; then
  grep '  \./media/' "$SRC/MANIFEST.sha256" | sed 's#  \./media/#  ./#' \
    | (cd "$MEDIA" && sha256sum --quiet --strict -c - 1>&2) \
    || die "附件复制后校验不一致：$MEDIA"
fi
echo "恢复完成：数据库 $DB_NAME，附件 $N 个文件，校验一致。若代码比备份新，请先运行 manage.py migrate，再启动服务。"
