#!/usr/bin/env bash
# 备份亲商的数据库和附件目录 / Back up Qinshang's database and its attachments (media).
#
#   scripts/backup.sh [--output DIR] [--keep N] [--env-file FILE]
#
# Reads DATABASE_URL and MEDIA_ROOT like the application (or from --env-file, e.g. the systemd
# /etc/qinshang/qinshang.env). Writes DIR/qinshang-<UTC time>/ with
#   database.pgdump     PostgreSQL: pg_dump custom format (pg_restore reads it), or
#   database.sqlite3    SQLite: a copy made with SQLite's online backup API (safe while in use)
#   media/              a copy of MEDIA_ROOT (the attachments)
#   backup.info         when, what, from which code version
#   MANIFEST.sha256     the SHA-256 of every file above; restore.sh checks it before anything
# The database is copied before the media: files are only ever added, so every attachment the
# copied database refers to is in the copied media.
set -euo pipefail
umask 077  # backups hold personal data: readable by their owner only

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${BACKUP_DIR:-$ROOT/backups}"
KEEP=0
ENV_FILE=""

die() { echo "备份失败：$*" >&2; exit 1; }
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    -o|--output) OUT="${2:?--output 需要一个目录}"; shift 2 ;;
    --keep) KEEP="${2:?--keep 需要一个数字}"; shift 2 ;;
    --env-file) ENV_FILE="${2:?--env-file 需要一个文件}"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "未知参数：$1" >&2; usage 2 ;;
  esac
done
case "$KEEP" in ''|*[!0-9]*) die "--keep 必须是非负整数" ;; esac

if [ -n "$ENV_FILE" ]; then
  [ -r "$ENV_FILE" ] || die "无法读取环境文件 $ENV_FILE"
  set -a; . "$ENV_FILE"; set +a
fi
cd "$ROOT"
PY="$ROOT/.venv/bin/python"; [ -x "$PY" ] || PY=python3
INFO="$("$PY" scripts/dbinfo.py)" || die "无法解析 DATABASE_URL"
eval "$INFO"
MEDIA="${MEDIA_ROOT:-$ROOT/media}"

mkdir -p "$OUT" || die "无法创建备份目录 $OUT"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
DEST="$OUT/qinshang-$STAMP"
[ -e "$DEST" ] && die "$DEST 已存在"
TMP="$DEST.partial"
# An interrupted backup leaves no directory that looks complete.
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP"

case "$DB_ENGINE" in
  postgresql)
    command -v pg_dump >/dev/null || die "找不到 pg_dump（apt-get install postgresql-client）"
    pg_dump --format=custom --compress=6 --dbname="$DB_URL" --file="$TMP/database.pgdump" \
      || die "pg_dump 失败（数据库 $DB_NAME）"
    DB_FILE=database.pgdump
    ;;
  sqlite)
    [ -f "$DB_NAME" ] || die "SQLite 数据库文件不存在：$DB_NAME"
    "$PY" - "$DB_NAME" "$TMP/database.sqlite3" <<'PYEOF' || die "SQLite 在线备份失败：$DB_NAME"
import sqlite3
import sys

src = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
dst = sqlite3.connect(sys.argv[2])
with dst:
    src.backup(dst)
ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
dst.close()
src.close()
sys.exit(0 if ok == "ok" else f"integrity_check: {ok}")
PYEOF
    DB_FILE=database.sqlite3
    ;;
esac

mkdir "$TMP/media"
if [ -d "$MEDIA" ]; then
  cp -a "$MEDIA/." "$TMP/media/" || die "复制附件目录失败：$MEDIA"
else
  echo "提示：附件目录 $MEDIA 不存在，只备份数据库" >&2
fi
MEDIA_FILES="$(find "$TMP/media" -type f | wc -l)"

{
  echo "created_at=$STAMP"
  echo "engine=$DB_ENGINE"
  echo "database=$(basename "$DB_NAME")"
  echo "database_file=$DB_FILE"
  echo "media_root=$MEDIA"
  echo "media_files=$MEDIA_FILES"
  echo "host=$(hostname)"
  echo "code=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} > "$TMP/backup.info"

(cd "$TMP" && find . -type f ! -name 'MANIFEST.sha256*' -print0 | sort -z | xargs -0 -r sha256sum) \
  > "$TMP/MANIFEST.sha256.tmp"
mv "$TMP/MANIFEST.sha256.tmp" "$TMP/MANIFEST.sha256"
mv "$TMP" "$DEST"
trap - EXIT

SIZE="$(du -sh "$DEST" | cut -f1)"
echo "备份完成：$DEST（$SIZE；数据库 $DB_NAME，附件 $MEDIA_FILES 个文件；校验清单 MANIFEST.sha256）"

if [ "$KEEP" -gt 0 ]; then
  # Names sort by time; only complete backups (no .partial) count and are pruned.
  find "$OUT" -maxdepth 1 -type d -name 'qinshang-*' ! -name '*.partial' | sort | head -n "-$KEEP" |
    while read -r old; do rm -rf -- "$old" && echo "已删除旧备份：$old"; done
fi
